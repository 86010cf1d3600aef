import { startTestApp, TestApp } from '@app/testing/app';
import { IngestionModule } from '../src/ingestion.module';
import { EMPTY_COUNTS, ImportJobRepository } from '../src/infra/import-job.repository';
import { RecordRepository } from '../src/infra/record.repository';

describe(ImportJobRepository.name, () => {
  let t: TestApp;
  let jobs: ImportJobRepository;
  let records: RecordRepository;

  beforeAll(async () => {
    t = await startTestApp('ingestion', (env) => IngestionModule.register({ env }));
    jobs = t.app.app.get(ImportJobRepository);
    records = t.app.app.get(RecordRepository);
  });

  afterAll(async () => {
    await t?.close();
  });

  const progress = { offset: 10, row: 1, bytesRead: 10, fileSize: 100, counts: EMPTY_COUNTS, unitsPerSecond: 1 };

  it('lets one session at a time hold a job, and anyone take it once released', async () => {
    const held = await jobs.lock('job-a');
    expect(held).toBeDefined();
    expect(await jobs.lock('job-a')).toBeUndefined(); // another connection, as another process would be
    const other = await jobs.lock('job-b');
    expect(other).toBeDefined();
    await held!.release();
    const again = await jobs.lock('job-a');
    expect(again).toBeDefined();
    await again!.release();
    await other!.release();
  });

  it('takes over a job left running and refuses the checkpoints of the run it replaced', async () => {
    await jobs.create({
      jobId: 'job-c',
      format: 'ndjson',
      kind: 'interaction',
      sourceUri: '/tmp/c.ndjson',
      options: {},
    });
    const first = await jobs.markRunning('job-c', false);
    const second = await jobs.markRunning('job-c', true); // the first run's process died with the job running
    expect([first?.resumeCount, second?.resumeCount]).toEqual([0, 1]);
    expect(await records.transaction((tx) => jobs.checkpoint(tx, 'job-c', first!.resumeCount, progress))).toBe(false);
    expect(await records.transaction((tx) => jobs.checkpoint(tx, 'job-c', second!.resumeCount, progress))).toBe(true);
    expect((await jobs.find('job-c'))?.checkpointRow).toBe(1);
  });
});
