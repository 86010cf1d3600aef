import { trainingV1 } from '@app/contracts';
import { toTimestamp } from '@app/contracts/grpc';
import { createApp, StartedApp } from '@app/platform/bootstrap';
import {
  createTestDatabase,
  deleteNamespaceStreams,
  freePort,
  TEST_NATS_URL,
  TestDatabase,
  uniqueNamespace,
} from '@app/testing';
import { eventually } from '@app/testing/app';
import { grpcTestClient } from '@app/testing/grpc';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { CheckpointEvent, TrainingRunHooks } from '../src/application/training-run.hooks';
import { TrainingModule } from '../src/training.module';
import { DAY_MS, FeatureStoreStandIn, HISTORY_START } from './feature-store.stand-in';

/**
 * The "killed midway" scenario: a first process checkpoints the training set and the first candidate, then
 * freezes and is stopped without finishing anything; a second process on the same database picks the run up
 * and finishes it from the checkpoint, without refetching and without refitting the finished candidate.
 */
describe('a training run killed midway (real PostgreSQL and NATS)', () => {
  const featureStore = new FeatureStoreStandIn();
  let db: TestDatabase;
  let namespace: string;
  let env: Record<string, string>;
  const apps: StartedApp[] = [];

  const boot = async (hooks: TrainingRunHooks) => {
    const app = await createApp({
      name: 'training',
      module: TrainingModule.register({
        env: { ...env, HTTP_PORT: String(await freePort()), GRPC_PORT: String(await freePort()) },
        hooks,
      }),
      logLevel: 'silent',
    });
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    await featureStore.start();
    featureStore.failAfterBatches = 2; // and the first stream breaks midway: the fetch resumes from its token
    db = await createTestDatabase('training_resume');
    namespace = uniqueNamespace('trainresume');
    env = {
      NODE_ENV: 'test',
      BIND_HOST: '127.0.0.1',
      DATABASE_URL: db.url,
      NATS_URL: TEST_NATS_URL,
      NATS_NAMESPACE: namespace,
      FEATURE_STORE_GRPC_URL: featureStore.address,
      TRAINING_SCHEDULE_INTERVAL_MINUTES: '0',
      TRAINING_MIN_NEW_EVENTS: '0',
      TRAINING_POLL_INTERVAL_MS: '200',
      TRAINING_WINDOW_DAYS: '0',
      TRAINING_FETCH_BATCH_SIZE: '64',
      // Both processes share a model directory, as replicas would share a volume.
      TRAINING_ARTIFACT_STORE: 'filesystem',
      TRAINING_ARTIFACT_DIR: await mkdtemp(join(tmpdir(), 'training-models-')),
    };
  });

  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    await featureStore.stop();
    await deleteNamespaceStreams(namespace);
    await db?.drop();
    await rm(env.TRAINING_ARTIFACT_DIR, { recursive: true, force: true });
  });

  it('resumes from the last checkpoint in a new process, skipping the finished steps', async () => {
    let frozen!: () => void;
    const atFreeze = new Promise<void>((r) => (frozen = r));
    const first = await boot({
      // After the first candidate's checkpoint the process "hangs" until it is stopped, like a killed one.
      afterCheckpoint: async (e: CheckpointEvent) => {
        if (e.kind === 'candidate' && e.index === 0) {
          frozen();
          await new Promise<never>(() => undefined);
        }
      },
    });
    const grpc1 = grpcTestClient('training', first.grpcUrl);
    const { run } = await grpc1.call<trainingV1.StartRunResponse>('StartRun', {
      requestId: 'nightly',
      asOf: toTimestamp(HISTORY_START + 30 * DAY_MS),
      candidates: ['popularity', 'sar', 'ease'].map((algorithm) => ({ algorithm, params: {}, tuningBudgetSeconds: 0 })),
      autoPromote: true,
      requestedBy: 'test',
    });
    await atFreeze;
    grpc1.close();
    await first.close();
    expect(featureStore.requests.map((r) => r.resumeToken)).toEqual(['', '128']); // one fetch, resumed once

    const ds = new DataSource({ type: 'postgres', url: db.url });
    await ds.initialize();
    const [left] = await ds.query(`SELECT state, results FROM training_run WHERE run_id = $1`, [run!.runId]);
    const checkpoints = await ds.query(
      `SELECT kind, key FROM training_run_checkpoint WHERE run_id = $1 ORDER BY kind, key`,
      [run!.runId],
    );
    await ds.destroy();
    expect(left.state).toBe('running'); // nothing marked it finished: as after a crash
    expect(checkpoints).toEqual([
      { kind: 'candidate', key: '0' },
      { kind: 'training_set', key: '' },
    ]);
    const popularityId = left.results[0].modelId as string;
    expect(popularityId).toMatch(/^[0-9a-f-]{36}$/);

    const seen: CheckpointEvent[] = [];
    const second = await boot({ afterCheckpoint: async (e) => void seen.push(e) });
    const grpc2 = grpcTestClient('training', second.grpcUrl);
    const done = await eventually(
      async () => (await grpc2.call<trainingV1.GetRunResponse>('GetRun', { runId: run!.runId })).run!,
      (r) => r.state === trainingV1.RunState.SUCCEEDED || r.state === trainingV1.RunState.FAILED,
      'the resumed run to finish',
      60_000,
    );
    expect(done).toMatchObject({ state: trainingV1.RunState.SUCCEEDED, resumeCount: 1, errorMessage: '' });
    // Only the unfinished candidates ran in the second process; the training set was not fetched again.
    expect(seen.map((e) => [e.kind, e.index, e.algorithm])).toEqual([
      ['candidate', 1, 'sar'],
      ['candidate', 2, 'ease'],
    ]);
    expect(featureStore.requests).toHaveLength(2);
    expect(done.results.map((r) => r.modelId)[0]).toBe(popularityId);
    expect(done.results.every((r) => r.modelId !== '' && r.errorMessage === '')).toBe(true);
    const models = await grpc2.call<trainingV1.ListModelsResponse>('ListModels', { runId: run!.runId });
    expect(models.models.map((m) => m.algorithm).sort()).toEqual(['ease', 'popularity', 'sar']);
    expect(models.models.every((m) => m.artifact!.uri.startsWith('file://'))).toBe(true);
    expect(done.promotion).toMatchObject({ promoted: true, previousChampionId: '' });
    // Asking again with the same request id returns the finished run.
    const again = await grpc2.call<trainingV1.StartRunResponse>('StartRun', {
      requestId: 'nightly',
      requestedBy: 'test',
    });
    expect(again.run).toMatchObject({ runId: run!.runId, state: trainingV1.RunState.SUCCEEDED });
    grpc2.close();
  });
});
