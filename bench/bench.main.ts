/*
 * `npm run bench`: runs every benchmark (`bench/<area>/*.bench.ts`, compiled) one after another in
 * its own process, then prints one summary table of each benchmark's headline figures (the scalar
 * fields of its `bench/results/<name>.json`). Options: `--only <substring>`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, join, relative } from 'node:path';

const DIST_BENCH = __dirname;
const ROOT = join(__dirname, '..', '..');
const RESULTS = join(ROOT, 'bench', 'results');

function benchFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return benchFiles(path);
    return name.endsWith('.bench.js') ? [path] : [];
  });
}

function headline(resultFile: string): string {
  if (!existsSync(resultFile)) return '(no result file)';
  const data = JSON.parse(readFileSync(resultFile, 'utf8')) as Record<string, unknown>;
  return Object.entries(data)
    .filter(
      ([k, v]) =>
        k !== 'benchmark' &&
        (typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'string' && v.length < 40)),
    )
    .slice(0, 8)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : v}`)
    .join(' ');
}

function main(): void {
  const onlyAt = process.argv.indexOf('--only');
  const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
  const files = benchFiles(DIST_BENCH).filter((f) => !only || f.includes(only));
  if (files.length === 0) {
    console.error(`no benchmarks found under ${DIST_BENCH}${only ? ` matching "${only}"` : ''}`);
    process.exit(2);
  }
  const rows: { bench: string; status: string; seconds: number; figures: string }[] = [];
  for (const file of files) {
    const name = relative(DIST_BENCH, file).replace(/\.bench\.js$/, '');
    console.log(`\n=== ${name}`);
    const started = process.hrtime.bigint();
    const run = spawnSync(process.execPath, [file], { cwd: ROOT, stdio: 'inherit' });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    rows.push({
      bench: name,
      status: run.status === 0 ? 'ok' : `failed (${run.status ?? run.signal})`,
      seconds,
      figures: headline(join(RESULTS, `${basename(name)}.json`)),
    });
  }
  console.log(`\nSummary (${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version})`);
  console.log('| benchmark | status | seconds | headline figures |\n|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.bench} | ${r.status} | ${r.seconds.toFixed(1)} | ${r.figures} |`);
  if (rows.some((r) => r.status !== 'ok')) process.exit(1);
}

main();
