import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');

/** Runs dependency-cruiser with the project's own rules over a small tree made for the test. */
async function cruise(files: Record<string, string>): Promise<{ code: number; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'layers-'));
  try {
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    copyFileSync(join(ROOT, 'tsconfig.json'), join(dir, 'tsconfig.json'));
    copyFileSync(join(ROOT, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    try {
      const { stdout } = await run(
        join(ROOT, 'node_modules/.bin/depcruise'),
        ['apps', '--config', '.dependency-cruiser.cjs'],
        {
          cwd: dir,
        },
      );
      return { code: 0, output: stdout };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, output: e.stdout + e.stderr };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('layer rules (dependency-cruiser)', () => {
  it('pass for a domain that imports only plain TypeScript', async () => {
    const r = await cruise({
      'apps/dss/src/domain/order.ts':
        "import { round } from './rounding';\nexport const order = (q: number) => round(q);\n",
      'apps/dss/src/domain/rounding.ts': 'export const round = (q: number) => Math.ceil(q);\n',
      'apps/dss/src/infra/repo.ts':
        "import { DataSource } from 'typeorm';\nimport { order } from '../domain/order';\nexport const x = [DataSource, order];\n",
    });
    expect(r).toEqual({ code: 0, output: expect.stringContaining('no dependency violations found') });
  });

  it('fail when domain code imports a framework or ORM', async () => {
    const r = await cruise({
      'apps/dss/src/domain/order.ts': "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n",
      'apps/dss/src/domain/entity.ts': "import { Entity } from 'typeorm';\nexport const y = Entity;\n",
    });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('domain-is-framework-free: apps/dss/src/domain/order.ts');
    expect(r.output).toContain('domain-is-framework-free: apps/dss/src/domain/entity.ts');
  });

  it('fail when one app imports another', async () => {
    const r = await cruise({
      'apps/dss/src/application/x.ts':
        "import { y } from '../../../training/src/application/y';\nexport const x = y;\n",
      'apps/training/src/application/y.ts': 'export const y = 1;\n',
    });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('no-app-imports-another-app');
  });
});
