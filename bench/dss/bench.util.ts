import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The repository root: the nearest folder above this file that holds package.json (works from src and dist). */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

/** Default location of a shared data file: `../shared/data/...` relative to the repository root. */
export function sharedData(...parts: string[]): string {
  return resolve(repoRoot(), '..', 'shared', 'data', ...parts);
}

/** `--name value` options with defaults; unknown options are an error that names them. */
export function parseArgs<T extends Record<string, string>>(defaults: T, usage: string): T {
  const out: Record<string, string> = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      console.log(usage);
      process.exit(0);
    }
    const name = arg.startsWith('--') ? arg.slice(2) : '';
    if (!(name in defaults)) {
      console.error(`Unknown option ${arg}.\n${usage}`);
      process.exit(2);
    }
    const value = argv[++i];
    if (value === undefined) {
      console.error(`Option --${name} needs a value.\n${usage}`);
      process.exit(2);
    }
    out[name] = value;
  }
  return out as T;
}

export function numberArg(
  options: Record<string, string>,
  name: string,
  check: (v: number) => boolean = Number.isFinite,
): number {
  const v = Number(options[name]);
  if (!check(v)) {
    console.error(`Option --${name}: invalid value "${options[name]}".`);
    process.exit(2);
  }
  return v;
}

/** Writes `bench/results/<name>.json` (or the given path), replacing non-finite numbers by null. */
export function writeResult(name: string, result: unknown, path?: string): string {
  const file = path ?? join(repoRoot(), 'bench', 'results', `${name}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(
    file,
    JSON.stringify(result, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n',
  );
  return file;
}
