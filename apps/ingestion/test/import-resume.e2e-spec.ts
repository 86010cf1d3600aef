import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  buildIfStale,
  createTestDatabase,
  deleteNamespaceStreams,
  REPO_ROOT,
  TEST_NATS_URL,
  TestDatabase,
  uniqueNamespace,
} from '@app/testing';
import { eventually } from '@app/testing/app';
import { Client } from 'pg';
import { ImportService } from '../src/application/import.service';
import { IngestionModule } from '../src/ingestion.module';

/**
 * `npm run import` killed half way and run again: the built CLI as a child process on a test database
 * and NATS namespace, SIGKILLed once its checkpoint moved, then the same command again.
 */

const CLI = join(REPO_ROOT, 'dist', 'scripts', 'import.main.js');
const ROWS = 30_000;
const BATCH_ROWS = 500;

interface JobRow {
  state: string;
  checkpoint_row: string;
  resume_count: number;
  counts: { rowsRead: number; accepted: number; duplicates: number; quarantined: number };
}

describe('npm run import, killed and resumed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'import-resume-'));
  const file = join(dir, 'interactions.ndjson');
  const namespace = uniqueNamespace('import');
  const jobId = 'resume-after-kill';
  const children: ChildProcess[] = [];
  let db: TestDatabase | undefined;
  let direct: Client | undefined;
  let inProcess: INestApplicationContext | undefined;
  let env: Record<string, string>;

  beforeAll(async () => {
    buildIfStale(['dist/scripts/import.main.js']);
    await writeInteractions(file, ROWS);
    db = await createTestDatabase('ingestion_import');
    env = {
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      NATS_URL: TEST_NATS_URL,
      NATS_NAMESPACE: namespace,
      LOG_LEVEL: 'warn',
      INGESTION_IMPORT_BATCH_ROWS: String(BATCH_ROWS),
    };
    // A second runner of the same job, in this process (it also applies the migrations before the CLI runs).
    inProcess = await NestFactory.createApplicationContext(IngestionModule.forCommand({ env }), { logger: false });
    direct = new Client({ connectionString: db.url });
    await direct.connect();
  }, 300_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(children.map((child) => exitOf(child)));
    await inProcess?.close();
    await direct?.end();
    await deleteNamespaceStreams(namespace);
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const job = async () =>
    (
      (
        await direct!.query(`SELECT state, checkpoint_row, resume_count, counts FROM import_job WHERE job_id = $1`, [
          jobId,
        ])
      ).rows as JobRow[]
    )[0];
  const count = async (sql: string) => Number(((await direct!.query(sql)).rows as { n: string }[])[0].n);
  const runImport = () => {
    const child = spawn(
      process.execPath,
      [CLI, '--format', 'ndjson', '--kind', 'interaction', '--file', file, '--job-id', jobId, '--no-wait'],
      { cwd: REPO_ROOT, env: { ...childEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    return { child, output: () => output };
  };

  it('loses nothing and stores nothing twice', async () => {
    const first = runImport();
    const started = Date.now();
    const partial = await eventually(
      async () => ({ job: await job(), exit: first.child.exitCode }),
      (p) => p.exit !== null || Number(p.job?.checkpoint_row ?? 0) > 0,
      'the first run to checkpoint',
      60_000,
    );
    expect({ exit: partial.exit, output: partial.exit === null ? '' : first.output() }).toEqual({
      exit: null,
      output: '',
    });

    // While it runs, nobody else may run the job: its process holds the job's lock.
    await expect(
      inProcess!.get(ImportService).start({ jobId, format: 'ndjson', kind: 'interaction', sourceUri: file }),
    ).rejects.toMatchObject({ code: 'IMPORT_JOB.RUNNING' });

    // Killed a quarter of the way in, most likely in the middle of a batch's transaction.
    const quarter = await eventually(
      async () => ({ job: await job(), exit: first.child.exitCode }),
      (p) => p.exit !== null || Number(p.job.checkpoint_row) >= ROWS / 4,
      'the first run to reach a quarter of the file',
      60_000,
    );
    expect({ exit: quarter.exit, output: quarter.exit === null ? '' : first.output() }).toEqual({
      exit: null,
      output: '',
    });
    first.child.kill('SIGKILL');
    expect(await exitOf(first.child)).toEqual({ code: null, signal: 'SIGKILL' });
    const killed = await job();
    const checkpoint = Number(killed.checkpoint_row);
    report(`import: killed after ${Date.now() - started} ms at row ${checkpoint} of ${ROWS}`);
    expect(killed.state).toBe('running'); // it died without a word
    expect(checkpoint).toBeGreaterThan(0);
    expect(checkpoint).toBeLessThan(ROWS);
    expect(checkpoint % BATCH_ROWS).toBe(0);
    expect(killed.counts).toMatchObject({ rowsRead: checkpoint, accepted: checkpoint });
    // Each batch commits with its checkpoint: exactly the checkpointed rows are stored, no half batch.
    expect(await count(`SELECT count(*) AS n FROM ingested_record`)).toBe(checkpoint);

    // The same command at once (no waiting for the job to look stale) resumes from the checkpoint.
    const resumedAt = Date.now();
    const second = runImport();
    const exit = await exitOf(second.child);
    expect({ exit, output: exit.code === 0 ? '' : second.output() }).toEqual({
      exit: { code: 0, signal: null },
      output: '',
    });
    expect(second.output()).toContain(`job ${jobId}: succeeded, resumed 1×`);
    report(`import: the resumed run took ${Date.now() - resumedAt} ms`);

    const done = await job();
    expect({ state: done.state, checkpointRow: Number(done.checkpoint_row), resumeCount: done.resume_count }).toEqual({
      state: 'succeeded',
      checkpointRow: ROWS,
      resumeCount: 1,
    });
    expect(done.counts).toMatchObject({ rowsRead: ROWS, accepted: ROWS, duplicates: 0, quarantined: 0 });
    expect({
      rows: await count(`SELECT count(*) AS n FROM ingested_record`),
      interactions: await count(
        `SELECT count(*) AS n FROM ingested_record WHERE kind = 'interaction' AND import_job_id = '${jobId}'`,
      ),
      keys: await count(`SELECT count(DISTINCT record_key) AS n FROM ingested_record`),
      events: await count(`SELECT count(DISTINCT raw->>'eventId') AS n FROM ingested_record`),
      quarantined: await count(`SELECT count(*) AS n FROM quarantined_record`),
    }).toEqual({ rows: ROWS, interactions: ROWS, keys: ROWS, events: ROWS, quarantined: 0 });
  }, 120_000);
});

/** ROWS valid interactions with distinct event ids, spread over the last 30 days. */
async function writeInteractions(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  const now = Date.now();
  for (let i = 0; i < rows; i++) {
    const line = JSON.stringify({
      eventId: `imp-${i}`,
      type: i % 10 === 0 ? 'add_to_cart' : 'view',
      userId: `u-${i % 997}`,
      itemId: `sku-${i % 311}`,
      occurredAt: new Date(now - 30 * 86_400_000 + i * 60_000).toISOString(),
    });
    if (!out.write(`${line}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** This process's environment without what would steer the CLI elsewhere. */
function childEnv(): NodeJS.ProcessEnv {
  const steering = /^(DATABASE_URL|DATABASE_.*|NATS_.*|NODE_ENV|LOG_LEVEL|INGESTION_.*|HTTP_PORT|GRPC_PORT)$/;
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !steering.test(key)));
}

/** Figures worth seeing in the test output (stdout: the lint keeps console for warnings and errors). */
function report(line: string): void {
  process.stdout.write(`${line}\n`);
}
