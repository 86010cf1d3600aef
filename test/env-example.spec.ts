import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { dssConfigSchema } from '../apps/dss/src/dss.config';
import { featureStoreConfigSchema } from '../apps/feature-store/src/feature-store.config';
import { ingestionConfigSchema } from '../apps/ingestion/src/ingestion.config';
import { recommendationConfigSchema } from '../apps/recommendation/src/recommendation.config';
import { trainingConfigSchema } from '../apps/training/src/training.config';

const SCHEMAS: Record<string, z.ZodObject> = {
  ingestion: ingestionConfigSchema,
  'feature-store': featureStoreConfigSchema,
  training: trainingConfigSchema,
  recommendation: recommendationConfigSchema,
  dss: dssConfigSchema,
};

/** Common lines are `NAME=value`; per-service ones `# service: NAME=value`. */
function parseEnvExample(text: string) {
  const common = new Map<string, string>();
  const perApp = new Map<string, Map<string, string>>();
  for (const line of text.split('\n')) {
    const c = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (c) common.set(c[1], c[2]);
    const p = /^# ([a-z-]+): ([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (p) {
      if (!perApp.has(p[1])) perApp.set(p[1], new Map());
      perApp.get(p[1])!.set(p[2], p[3]);
    }
  }
  return { common, perApp };
}

describe('.env.example', () => {
  const { common, perApp } = parseEnvExample(readFileSync(join(__dirname, '..', '.env.example'), 'utf8'));

  for (const [app, schema] of Object.entries(SCHEMAS)) {
    it(`lists every variable of ${app} with its default`, () => {
      const defaults = schema.parse({}) as Record<string, unknown>;
      const mismatches: string[] = [];
      for (const key of Object.keys(schema.shape)) {
        const listed = perApp.get(app)?.get(key) ?? common.get(key);
        const expected = defaults[key] === undefined ? '' : String(defaults[key]);
        if (listed === undefined) mismatches.push(`${key} missing`);
        else if (listed !== expected) mismatches.push(`${key}: listed "${listed}", default "${expected}"`);
      }
      expect(mismatches).toEqual([]);
    });
  }

  it('lists nothing that no service reads', () => {
    const known = new Set(Object.values(SCHEMAS).flatMap((s) => Object.keys(s.shape)));
    const launcher = [...common.keys()].filter((k) => !known.has(k));
    // Variables read only by the local stack launcher are documented in its own section.
    const launcherSection =
      /# Local stack \(npm start\)[\s\S]*/.exec(readFileSync(join(__dirname, '..', '.env.example'), 'utf8'))?.[0] ?? '';
    expect(launcher.filter((k) => !launcherSection.includes(`${k}=`))).toEqual([]);
  });
});
