import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FEATURE_VIEWS } from '../src/domain';

describe('docs/feature-store.md', () => {
  it('lists every feature view with its entity and TTL as declared in code', () => {
    const doc = readFileSync(join(__dirname, '../../../docs/feature-store.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| `([a-z_]+)` +\| ([a-z_]+) +\| (\d+) +\|/gm)].map((m) => [
      m[1],
      m[2],
      Number(m[3]),
    ]);
    expect(rows).toEqual(FEATURE_VIEWS.map((v) => [v.name, v.entity, v.ttlSeconds]));
  });
});
