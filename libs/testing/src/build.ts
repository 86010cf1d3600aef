import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root (this file is libs/testing/src/build.ts). */
export const REPO_ROOT = join(__dirname, '..', '..', '..');

/** A regex, not a string: this file is built too, and must not match itself. */
const UNRESOLVED_ALIAS = /require\("@app\//;
const SOURCE_DIRS = ['apps', 'libs', 'scripts', 'proto'];

/**
 * `npm run build` when any source is newer than one of `outputs` (paths under dist/, relative to the
 * root), or when a build stopped half way (tsc emitted, tsc-alias did not run, `@app/…` imports left
 * unresolved). For tests that spawn built processes.
 */
export function buildIfStale(outputs: readonly string[]): void {
  const files = outputs.map((file) => join(REPO_ROOT, file));
  const oldestOutput = Math.min(...files.map((file) => (existsSync(file) ? statSync(file).mtimeMs : 0)));
  const newestSource = Math.max(...SOURCE_DIRS.map((dir) => newestSourceMtime(join(REPO_ROOT, dir))));
  if (newestSource <= oldestOutput && !hasUnresolvedAliases(join(REPO_ROOT, 'dist'))) return;
  try {
    execFileSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: 'pipe', encoding: 'utf8' });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    throw new Error(`npm run build failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

function hasUnresolvedAliases(dir: string): boolean {
  if (!existsSync(dir)) return false;
  return readdirSync(dir, { withFileTypes: true }).some((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return hasUnresolvedAliases(path);
    return entry.name.endsWith('.js') && UNRESOLVED_ALIAS.test(readFileSync(path, 'utf8'));
  });
}

function newestSourceMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(path));
    else if (/\.(ts|proto)$/.test(entry.name) && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(entry.name)) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}
