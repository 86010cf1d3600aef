import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, TestApp } from '@app/testing/app';
import { IngestionModule } from '../src/ingestion.module';

/** Each `POST` example of docs/ingestion.md: the request's JSON block, then a `json expect <status>` block. */
function examples(markdown: string): { path: string; body: unknown; status: number; expected: unknown }[] {
  const found: { path: string; body: unknown; status: number; expected: unknown }[] = [];
  const pattern = /```http\nPOST (\S+)\n```\s*```json\n([\s\S]*?)```\s*```json expect (\d{3})\n([\s\S]*?)```/g;
  for (const m of markdown.matchAll(pattern)) {
    found.push({ path: m[1], body: JSON.parse(m[2]), status: Number(m[3]), expected: JSON.parse(m[4]) });
  }
  return found;
}

describe('docs/ingestion.md examples', () => {
  let t: TestApp;
  const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'ingestion.md'), 'utf8');
  const cases = examples(doc);

  beforeAll(async () => {
    t = await startTestApp('ingestion', (env) => IngestionModule.register({ env }));
  });

  afterAll(async () => {
    await t?.close();
  });

  it('has the examples this test runs', () => {
    expect(cases.map((c) => c.path)).toEqual([
      '/v1/interactions',
      '/v1/items',
      '/v1/sales',
      '/v1/stock-positions',
      '/v1/supply-parameters',
    ]);
  });

  it.each(cases.map((c) => [c.path, c] as const))('POST %s answers as documented', async (_path, c) => {
    const res = await fetch(`${t.app.httpUrl}${c.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(c.body),
    });
    expect(res.status).toBe(c.status);
    expect(await res.json()).toMatchObject(c.expected as object);
  });
});
