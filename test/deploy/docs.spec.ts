import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { APP_NAMES } from '@app/platform/config/platform.config';

/**
 * The operator guide names only what exists: npm scripts, repository files (a `dist/…js` path stands for the
 * source it is compiled from), links, Compose services, and the ports and databases of .env.example.
 */
const ROOT = join(__dirname, '..', '..');
const DOC = 'docs/operations.md';
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const text = read(DOC);

/** `<service>` / `<app>` stand for every service; anything else in angle brackets is not a path. */
function expand(path: string): string[] {
  return /<(service|app)>/.test(path) ? APP_NAMES.map((app) => path.replace(/<(service|app)>/g, app)) : [path];
}

/** The file a path names in the repository: build output maps back to its TypeScript source. */
function sourceOf(path: string): string {
  const m = /^dist\/(.+)\.js$/.exec(path);
  return m ? `${m[1]}.ts` : path;
}

describe(DOC, () => {
  it('mentions only npm scripts that exist', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    const used = [...new Set([...text.matchAll(/npm run ([a-z][\w:-]*)/g)].map((m) => m[1]))];
    expect(used).toEqual(expect.arrayContaining(['migrate', 'feature-store:rebuild']));
    expect(used.filter((name) => !(name in scripts))).toEqual([]);
  });

  it('names only repository files and folders that exist', () => {
    // Paths start with a top-level entry of the repository (a folder followed by a slash, or a root file).
    const top = readdirSync(ROOT, { withFileTypes: true }).filter((e) => e.name !== 'node_modules');
    const folders = [...top.filter((e) => e.isDirectory()).map((e) => e.name), 'dist'];
    const files = top.filter((e) => e.isFile()).map((e) => e.name);
    const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = new RegExp(
      `(?<![\\w./<-])((?:${folders.map(escape).join('|')})\\/[\\w.<>@/-]*|(?:${files.map(escape).join('|')})(?![\\w.-]))`,
      'g',
    );
    const named = [...new Set([...text.matchAll(pattern)].map((m) => m[1].replace(/[./]+$/, '')))];
    expect(named).toEqual(
      expect.arrayContaining(['Dockerfile', 'docker-compose.yml', '.env.example', 'k8s/charts/retail-reco']),
    );
    const paths = named
      .filter((p) => p !== 'dist')
      .flatMap(expand)
      .map(sourceOf);
    expect(paths.filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
  });

  it('links only to files that exist', () => {
    const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/.test(l));
    expect(links).toContain('../k8s/README.md');
    const missing = links.map((l) => l.split('#')[0]).filter((l) => !existsSync(join(ROOT, 'docs', l)));
    expect(missing).toEqual([]);
  });

  it('runs docker compose commands against services docker-compose.yml has', () => {
    const services = Object.keys((parse(read('docker-compose.yml'), { merge: true }) as { services: object }).services);
    const targets = [
      ...text.matchAll(/docker compose (?:exec|run|stop|start|logs|restart)((?: -[\w-]+)*) ([a-z][\w-]*|<service>)/g),
    ].map((m) => m[2]);
    expect(targets.length).toBeGreaterThan(3);
    expect(targets.flatMap(expand).filter((t) => !services.includes(t))).toEqual([]);
  });

  it("lists each service's ports and database as .env.example does", () => {
    const env = read('.env.example');
    for (const app of APP_NAMES) {
      const value = (name: string) => new RegExp(`^# ${app}: ${name}=(.*)$`, 'm').exec(env)![1];
      const database = new URL(value('DATABASE_URL')).pathname.slice(1);
      const row = new RegExp(`^\\| \`${app}\` +\\| (\\d+) +\\| (\\d+) +\\| \`(\\w+)\` +\\|$`, 'm').exec(text);
      expect({ app, row: row?.slice(1) }).toEqual({ app, row: [value('HTTP_PORT'), value('GRPC_PORT'), database] });
    }
  });
});
