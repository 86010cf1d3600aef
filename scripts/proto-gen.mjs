#!/usr/bin/env node
/**
 * Generates the TypeScript contracts from proto/ (buf + ts-proto, see buf.gen.yaml), or checks them.
 *
 *   node scripts/proto-gen.mjs          regenerate libs/contracts/src/generated/ (cleaned first)
 *   node scripts/proto-gen.mjs --check  buf lint + buf format check, then generate into a temporary
 *                                       folder and fail listing every file that differs from, is
 *                                       missing in, or is extra in the checked-in folder
 *
 * Offline: buf comes from node_modules (@bufbuild/buf) and the plugin is node_modules/.bin/protoc-gen-ts_proto.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const GENERATED_DIR = 'libs/contracts/src/generated'; // must equal `out` in buf.gen.yaml
// Vendored verbatim from grpc/grpc-proto: never reformatted (buf.yaml waives its lint rules too).
const VENDORED_PROTOS = ['proto/grpc/health/v1/health.proto'];

const BUF = join(ROOT, 'node_modules', '.bin', process.platform === 'win32' ? 'buf.cmd' : 'buf');

function fail(message) {
  process.stderr.write(`proto-gen: ${message}\n`);
  process.exit(1);
}

/** Runs buf with output passed through; returns its exit status. */
function buf(args) {
  const result = spawnSync(BUF, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.error) fail(`cannot run ${relative(ROOT, BUF)}: ${result.error.message} (is @bufbuild/buf installed?)`);
  return result.status ?? 1;
}

/** Relative paths (with forward slashes) of every file below dir; empty when dir does not exist. */
function listFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

function generate(outputBase) {
  // buf.gen.yaml has `clean: true`, so the output folder is emptied first and deleted protos disappear.
  const args = ['generate', '--template', 'buf.gen.yaml'];
  if (outputBase) args.push('--output', outputBase);
  if (buf(args) !== 0) fail('buf generate failed');
}

function check() {
  const problems = [];
  if (buf(['lint']) !== 0) problems.push('buf lint found problems (see above)');
  const formatArgs = ['format', '--diff', '--exit-code', ...VENDORED_PROTOS.flatMap((p) => ['--exclude-path', p])];
  if (buf(formatArgs) !== 0) problems.push('protos are not formatted: run `npx buf format -w` (diff above)');

  const tmp = mkdtempSync(join(tmpdir(), 'proto-check-'));
  try {
    generate(tmp);
    const fresh = join(tmp, GENERATED_DIR);
    const committed = join(ROOT, GENERATED_DIR);
    const freshFiles = new Set(listFiles(fresh));
    const committedFiles = new Set(listFiles(committed));
    const stale = [];
    for (const file of freshFiles) {
      if (!committedFiles.has(file)) stale.push(`missing  ${GENERATED_DIR}/${file}`);
      else if (!readFileSync(join(fresh, file)).equals(readFileSync(join(committed, file)))) {
        stale.push(`differs  ${GENERATED_DIR}/${file}`);
      }
    }
    for (const file of committedFiles) {
      if (!freshFiles.has(file)) stale.push(`extra    ${GENERATED_DIR}/${file}`);
    }
    if (stale.length > 0) {
      problems.push(`generated contracts are stale; run \`npm run proto:gen\`:\n  ${stale.join('\n  ')}`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  if (problems.length > 0) fail(`check failed:\n- ${problems.join('\n- ')}`);
  process.stdout.write('proto-gen: lint, format and generated contracts are up to date\n');
}

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--check');
if (unknown.length > 0) fail(`unknown argument(s): ${unknown.join(' ')} (usage: proto-gen.mjs [--check])`);

if (args.includes('--check')) {
  check();
} else {
  generate();
  process.stdout.write(
    `proto-gen: generated ${listFiles(join(ROOT, GENERATED_DIR)).length} files in ${GENERATED_DIR}\n`,
  );
}
