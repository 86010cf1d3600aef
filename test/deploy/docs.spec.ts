import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The operator guide and the README's deploy section name only commands and files that exist. */
const ROOT = join(__dirname, '..', '..');
const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
  .scripts;

describe.each(['docs/operations.md', 'k8s/README.md', 'README.md'])('%s', (doc) => {
  const text = readFileSync(join(ROOT, doc), 'utf8');

  it('mentions only npm scripts that exist', () => {
    const used = [...text.matchAll(/npm run ([a-z][\w:-]*)/g)].map((m) => m[1]);
    expect(used.length).toBeGreaterThan(0);
    for (const name of used) expect({ name, exists: name in scripts }).toEqual({ name, exists: true });
  });

  it('links and names repository files that exist', () => {
    const links = [...text.matchAll(/\]\((?!https?:)([^)#\s]+)\)/g)].map((m) => join(ROOT, doc, '..', m[1]));
    const named = [
      ...text.matchAll(
        /`((?:k8s|deploy|docs|scripts|apps|libs|test)\/[\w./-]+|Dockerfile|docker-compose\.yml|\.env\.example)`/g,
      ),
    ].map((m) => join(ROOT, m[1]));
    for (const path of [...links, ...named]) expect({ path, exists: existsSync(path) }).toEqual({ path, exists: true });
  });
});
