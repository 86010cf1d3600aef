/*
 * Writes k8s/base (the plain manifests for `kubectl apply -k`) from the Helm chart, or checks it:
 *   node dist/scripts/k8s/render.main.js           npm run k8s:render
 *   node dist/scripts/k8s/render.main.js --check   npm run k8s:check (fails when k8s/base is not a fresh render)
 * `scripts/k8s/tsconfig.json` compiles just this folder (about 3 s with the check), so no full build is needed.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BASE_DIR, compareBase, renderBase, writeBase } from './kustomize.base';

/** The repository: the nearest folder above this file that holds the chart (works from scripts/ and dist/scripts/). */
function repoRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'k8s', 'charts')) && existsSync(join(dir, 'package.json'))) return dir;
  }
  throw new Error(`no repository with k8s/charts above ${__dirname}`);
}

function main(): number {
  const args = process.argv.slice(2);
  if (args.some((a) => a !== '--check')) {
    console.error('usage: node dist/scripts/k8s/render.main.js [--check]');
    return 2;
  }
  const root = repoRoot();
  const files = renderBase(root);
  const dir = join(root, BASE_DIR);
  if (args.includes('--check')) {
    const problems = compareBase(files, dir);
    if (problems.length) {
      console.error(`k8s:check: ${BASE_DIR} is not the chart's render:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
      console.error('Run `npm run k8s:render` and commit the result.');
      return 1;
    }
    console.log(`k8s:check: ${BASE_DIR} matches the chart (${files.size} files)`);
    return 0;
  }
  writeBase(files, dir);
  console.log(`k8s:render: wrote ${[...files.keys()].map((f) => `${BASE_DIR}/${f}`).join(', ')}`);
  return 0;
}

try {
  process.exit(main());
} catch (err) {
  console.error(`k8s: ${(err as Error).message}`);
  process.exit(1);
}
