import { status } from '@grpc/grpc-js';
import { commonV1, trainingV1 } from '@app/contracts';
import { toTimestamp } from '@app/contracts/grpc';
import { ModelPromotedV1 } from '@app/contracts/events';
import { errorFromGrpc } from '@app/platform/errors';
import { defaultRegistry, InteractionDataset, splitDataset } from '@app/recsys';
import { eventually, startTestApp, TestApp } from '@app/testing/app';
import { grpcTestClient, GrpcTestClient } from '@app/testing/grpc';
import { createHash } from 'node:crypto';
import { CheckpointEvent } from '../src/application/training-run.hooks';
import { TrainingRunService } from '../src/application/training-run.service';
import { TrainingModule } from '../src/training.module';
import { DAY_MS, FeatureStoreStandIn, HISTORY_START, selectRows } from './feature-store.stand-in';

const AS_OF = toTimestamp(HISTORY_START + 30 * DAY_MS);
const FINISHED = [trainingV1.RunState.SUCCEEDED, trainingV1.RunState.FAILED, trainingV1.RunState.CANCELLED];
type Run = trainingV1.Run;
type Model = trainingV1.Model;

describe('training service (real PostgreSQL and NATS, stand-in feature store)', () => {
  const featureStore = new FeatureStoreStandIn();
  const promoted: ModelPromotedV1[] = [];
  /** Runs (by request id) whose pipeline waits after its training-set checkpoint until released. */
  const gates = new Map<string, { reached: () => void; release: Promise<void> }>();
  const requestIdOf = new Map<string, string>();
  let t: TestApp;
  let grpc: GrpcTestClient;
  const http = (path: string, init?: RequestInit) =>
    fetch(`${t.app.httpUrl}${path}`, { ...init, headers: { 'content-type': 'application/json', ...init?.headers } });

  const start = (request: Partial<trainingV1.StartRunRequest>) =>
    grpc.call<trainingV1.StartRunResponse>('StartRun', { asOf: AS_OF, requestedBy: 'test', ...request }).then((r) => {
      requestIdOf.set(r.run!.runId, request.requestId ?? '');
      return r.run!;
    });
  const getRun = async (runId: string) => (await grpc.call<trainingV1.GetRunResponse>('GetRun', { runId })).run!;
  const finished = (runId: string) =>
    eventually(
      () => getRun(runId),
      (r) => FINISHED.includes(r.state),
      `run ${runId} to finish`,
      60_000,
    );
  const getModel = async (modelId: string) =>
    (await grpc.call<trainingV1.GetModelResponse>('GetModel', { modelId })).model!;
  const champion = async () =>
    (await grpc.call<trainingV1.GetModelResponse>('GetModel', { alias: trainingV1.ModelAlias.CHAMPION })).model!;
  const artifactBytes = async (modelId: string, chunkSize = 0) => {
    const messages = await grpc.stream<trainingV1.GetModelArtifactResponse>('GetModelArtifact', { modelId, chunkSize });
    return { first: messages[0], bytes: Buffer.concat(messages.slice(1).map((m) => m.chunk)), messages };
  };
  const grpcError = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e as { code: number },
    );
    if (!err) throw new Error('expected the call to fail');
    return errorFromGrpc(err);
  };

  beforeAll(async () => {
    await featureStore.start();
    t = await startTestApp(
      'training',
      (env) =>
        TrainingModule.register({
          env,
          hooks: {
            afterCheckpoint: async (e: CheckpointEvent) => {
              const gate = gates.get(requestIdOf.get(e.runId) ?? '');
              if (gate && e.kind === 'training_set') {
                gate.reached();
                await gate.release;
              }
            },
          },
        }),
      {
        FEATURE_STORE_GRPC_URL: featureStore.address,
        TRAINING_SCHEDULE_INTERVAL_MINUTES: '0',
        TRAINING_MIN_NEW_EVENTS: '5',
        TRAINING_POLL_INTERVAL_MS: '200',
        TRAINING_WINDOW_DAYS: '0',
        TRAINING_FETCH_BATCH_SIZE: '64',
        TRAINING_CANDIDATES: 'popularity',
        TRAINING_AUTO_PROMOTE: 'false',
      },
    );
    grpc = grpcTestClient('training', t.app.grpcUrl);
    await t.bus.consume({
      stream: 'MODELS',
      durable: 'test-promoted',
      handler: async (m) => void promoted.push(ModelPromotedV1.parse(m.data)),
    });
  });

  afterAll(async () => {
    grpc?.close();
    await t?.close();
    await featureStore.stop();
  });

  let first: Run;
  let popularityId: string;
  let easeId: string;

  it('trains, registers and promotes the first model, and announces it with the checksum of its artifact', async () => {
    const queued = await start({
      requestId: 'r1',
      candidates: [{ algorithm: 'popularity', params: {}, tuningBudgetSeconds: 0 }],
      autoPromote: true,
    });
    expect([trainingV1.RunState.PENDING, trainingV1.RunState.RUNNING]).toContain(queued.state);
    first = await finished(queued.runId);
    expect(first).toMatchObject({
      state: trainingV1.RunState.SUCCEEDED,
      trigger: trainingV1.RunTrigger.MANUAL,
      requestedBy: 'test',
      resumeCount: 0,
      progress: { stage: 'done' },
      promotion: { promoted: true, metric: 'ndcg@10', championValue: 0, previousChampionId: '' },
    });
    const rows = selectRows(featureStore.events, featureStore.requests[0]);
    expect(first.dataWindow).toMatchObject({ interactionCount: rows.length, userCount: 48, asOf: AS_OF });
    expect(featureStore.requests[0]).toMatchObject({ asOf: AS_OF, batchSize: 64, includeItems: false });
    const result = first.results[0];
    expect(result.errorMessage).toBe('');
    expect(result.metrics.map((m) => `${m.name}@${m.k}`)).toEqual(
      expect.arrayContaining(['ndcg@10', 'precision@10', 'recall@10', 'coverage@0']),
    );
    popularityId = result.modelId;

    const model = await champion();
    expect(model).toMatchObject({
      modelId: popularityId,
      version: 1,
      algorithm: 'popularity',
      status: trainingV1.ModelStatus.CHAMPION,
      runId: first.runId,
      artifact: { uri: `db://artifacts/${popularityId}`, contentType: 'application/vnd.retail.recsys-artifact' },
    });

    const event = await eventually(
      async () => promoted,
      (p) => p.length === 1,
      'models.v1.promoted',
    );
    expect(event[0]).toMatchObject({
      modelId: popularityId,
      version: 1,
      algorithm: 'popularity',
      reason: 'first_model',
      artifactUri: `grpc://training/models/${popularityId}`,
      trainedUntil: new Date(HISTORY_START + 30 * DAY_MS).toISOString(),
    });
    const { first: header, bytes, messages } = await artifactBytes(popularityId, 1024);
    expect(messages.length).toBeGreaterThan(2);
    expect(header.artifact).toMatchObject({ sha256: model.artifact!.sha256, sizeBytes: bytes.length });
    expect(event[0].checksum).toBe(`sha256:${createHash('sha256').update(bytes).digest('hex')}`);
  });

  it('promotes a challenger that beats the champion on the same holdout by the margin', async () => {
    const run = await finished(
      (
        await start({
          requestId: 'r2',
          candidates: [{ algorithm: 'ease', params: {}, tuningBudgetSeconds: 0 }],
          autoPromote: true,
        })
      ).runId,
    );
    expect(run.state).toBe(trainingV1.RunState.SUCCEEDED);
    easeId = run.results[0].modelId;
    expect(run.promotion).toMatchObject({ promoted: true, previousChampionId: popularityId, margin: 0.01 });
    expect(run.promotion!.challengerValue).toBeGreaterThan(run.promotion!.championValue * 1.01);
    expect(run.promotion!.championValue).toBeCloseTo(first.promotion!.challengerValue, 10); // same holdout, same value
    expect(run.promotion!.reason).toMatch(/^ndcg@10 .* beats champion .* \(margin 1%\)$/);
    expect((await champion()).modelId).toBe(easeId);
    expect((await getModel(popularityId)).status).toBe(trainingV1.ModelStatus.RETIRED);
    const events = await eventually(
      async () => promoted,
      (p) => p.length === 2,
      'second promotion',
    );
    expect(events[1]).toMatchObject({
      modelId: easeId,
      version: 2,
      reason: 'beat_champion',
      previousModelId: popularityId,
    });
  });

  it('keeps the champion when the challenger does not beat it by the margin', async () => {
    const run = await finished(
      (
        await start({
          requestId: 'r3',
          candidates: [{ algorithm: 'ease', params: {}, tuningBudgetSeconds: 0 }],
          autoPromote: true,
        })
      ).runId,
    );
    expect(run.promotion).toMatchObject({ promoted: false, previousChampionId: easeId });
    expect(run.promotion!.challengerValue).toBeCloseTo(run.promotion!.championValue, 10);
    expect((await getModel(run.results[0].modelId)).status).toBe(trainingV1.ModelStatus.REJECTED);
    expect((await champion()).modelId).toBe(easeId);

    // Manual promotion: the numbers still say no; force says yes and is announced as manual.
    const refused = await grpc.call<trainingV1.PromoteModelResponse>('PromoteModel', {
      modelId: run.results[0].modelId,
      requestedBy: 'ops',
    });
    expect(refused.decision).toMatchObject({ promoted: false });
    expect(refused.model!.status).toBe(trainingV1.ModelStatus.REJECTED);
    const forced = await grpc.call<trainingV1.PromoteModelResponse>('PromoteModel', {
      modelId: run.results[0].modelId,
      force: true,
      reason: 'canary',
      requestedBy: 'ops',
    });
    expect(forced.decision).toMatchObject({ promoted: true, previousChampionId: easeId });
    expect(forced.model!.status).toBe(trainingV1.ModelStatus.CHAMPION);
    const events = await eventually(
      async () => promoted,
      (p) => p.length === 3,
      'manual promotion',
    );
    expect(events[2]).toMatchObject({
      modelId: run.results[0].modelId,
      version: 3,
      reason: 'manual',
      previousModelId: easeId,
    });
  });

  it('rolls back to the previous champion, or to any earlier version by id, announcing each', async () => {
    const back = await grpc.call<trainingV1.RollbackModelResponse>('RollbackModel', {
      requestedBy: 'ops',
      reason: 'bad canary',
    });
    expect(back.model).toMatchObject({ modelId: easeId, status: trainingV1.ModelStatus.CHAMPION });
    expect(back.previousChampion!.status).toBe(trainingV1.ModelStatus.RETIRED);
    const res = await http(`/v1/models/${popularityId}/rollback`, {
      method: 'POST',
      body: JSON.stringify({ requestedBy: 'ops' }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { model: { modelId: string; status: string } }).model).toMatchObject({
      modelId: popularityId,
      status: 'champion',
    });
    const events = await eventually(
      async () => promoted,
      (p) => p.length === 5,
      'rollbacks',
    );
    expect(events.slice(3).map((e) => [e.modelId, e.reason])).toEqual([
      [easeId, 'rollback'],
      [popularityId, 'rollback'],
    ]);
    const newer = await grpcError(grpc.call('RollbackModel', { modelId: easeId, requestedBy: 'ops' }));
    expect(newer).toMatchObject({ status: status.FAILED_PRECONDITION, code: 'MODEL.NOT_EARLIER' });
  });

  it('serves an artifact that deserialises to a recommender giving the same recommendations as the trained one', async () => {
    const { bytes } = await artifactBytes(easeId);
    // A plain Uint8Array: the library's codec slices with slice(), which on a Node Buffer does not copy.
    const served = defaultRegistry.deserialize(new Uint8Array(bytes));
    // The same training set and split the run used, fitted here.
    const rows = selectRows(featureStore.events, featureStore.requests[1]);
    const data = InteractionDataset.fromInteractions(
      rows.map((r) => ({ userId: r.userId, itemId: r.itemId, weight: r.weight, timestamp: r.at.getTime() / 1000 })),
    );
    const { train } = splitDataset(data, { method: 'temporal', ratio: 0.8, seed: 42 });
    const local = defaultRegistry.create('ease', {});
    await local.fit(train, { seed: 42 });
    for (const userId of ['u0', 'u1', 'u7', 'u30', 'u47']) {
      const a = served.recommend({ userId }, 10);
      const b = local.recommend({ userId }, 10);
      expect(a.map((x) => x.itemId)).toEqual(b.map((x) => x.itemId));
      a.forEach((x, i) => expect(x.score).toBeCloseTo(b[i].score, 4));
    }
    expect(served.similarItems('i0', 5).map((x) => x.itemId)).toEqual(local.similarItems('i0', 5).map((x) => x.itemId));
  });

  it('compares models and says whether they share a holdout', async () => {
    const c = await grpc.call<trainingV1.CompareModelsResponse>('CompareModels', {
      modelIds: [popularityId, easeId],
      metrics: [],
    });
    expect(c.sameHoldout).toBe(true);
    const ndcg = c.metrics.find((m) => m.name === 'ndcg')!;
    expect(ndcg).toMatchObject({ k: 10, bestIndex: 1 });
    const res = await http(`/v1/models/compare?ids=${popularityId},${easeId}&metrics=ndcg,precision`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { metrics: { name: string }[]; sameHoldout: boolean };
    expect(body.metrics.map((m) => m.name).sort()).toEqual(['ndcg', 'precision']);
  });

  it('lists runs and models, newest first, with pages', async () => {
    const page1 = await grpc.call<trainingV1.ListModelsResponse>('ListModels', { pageSize: 2 });
    expect(page1.models.map((m: Model) => m.version)).toEqual([3, 2]);
    const page2 = await grpc.call<trainingV1.ListModelsResponse>('ListModels', {
      pageSize: 2,
      pageToken: page1.nextPageToken,
    });
    expect(page2.models.map((m: Model) => m.version)).toEqual([1]);
    expect(page2.nextPageToken).toBe('');
    const runs = await grpc.call<trainingV1.ListRunsResponse>('ListRuns', { state: trainingV1.RunState.SUCCEEDED });
    expect(runs.runs.map((r) => r.runId)[2]).toBe(first.runId);
    const rest = (await (await http('/v1/models?status=champion')).json()) as { models: { modelId: string }[] };
    expect(rest.models.map((m) => m.modelId)).toEqual([popularityId]);
    const metrics = await (await http('/metrics')).text();
    expect(metrics).toMatch(/training_runs_total\{.*trigger="manual".*outcome="succeeded".*\} 3/);
    expect(metrics).toMatch(/training_promotions_total\{.*reason="rollback".*\} 2/);
  });

  it('is idempotent by request id over gRPC and REST', async () => {
    const again = await start({
      requestId: 'r1',
      candidates: [{ algorithm: 'als', params: {}, tuningBudgetSeconds: 0 }],
    });
    expect(again.runId).toBe(first.runId);
    expect(again.state).toBe(trainingV1.RunState.SUCCEEDED);
    const res = await http('/v1/runs', {
      method: 'POST',
      body: JSON.stringify({ requestId: 'r1', requestedBy: 'test' }),
    });
    expect(res.status).toBe(202);
    expect(((await res.json()) as { run: { runId: string } }).run.runId).toBe(first.runId);
    expect(featureStore.requests).toHaveLength(3);
  });

  it('honours the window and the interaction weights, and can leave promotion to a person', async () => {
    const windowStart = toTimestamp(HISTORY_START + 3 * DAY_MS);
    const weights: commonV1.InteractionWeight[] = [{ type: commonV1.InteractionType.PURCHASE, weight: 5 }];
    const run = await finished((await start({ requestId: 'r-window', windowStart, weights })).runId);
    expect(run.state).toBe(trainingV1.RunState.SUCCEEDED);
    const request = featureStore.requests.at(-1)!;
    expect(request).toMatchObject({ windowStart, weights });
    const rows = selectRows(featureStore.events, request);
    expect(rows.every((r) => r.type === commonV1.InteractionType.PURCHASE && r.weight === 5)).toBe(true);
    expect(run.dataWindow).toMatchObject({ interactionCount: rows.length, windowStart });
    expect(run.candidates.map((c) => c.algorithm)).toEqual(['popularity']); // the configured default
    expect(run.promotion).toBeNull();
    expect((await getModel(run.results[0].modelId)).status).toBe(trainingV1.ModelStatus.CANDIDATE);
  });

  it('cancels a run and keeps its checkpoint: asking again with its request id resumes it', async () => {
    let reached!: () => void;
    const atCheckpoint = new Promise<void>((r) => (reached = r));
    let release!: () => void;
    gates.set('r-cancel', { reached, release: new Promise<void>((r) => (release = r)) });
    const run = await start({ requestId: 'r-cancel' });
    await atCheckpoint;
    const cancelled = await grpc.call<trainingV1.CancelRunResponse>('CancelRun', { runId: run.runId });
    expect(cancelled.run!.state).toBe(trainingV1.RunState.CANCELLED);
    gates.delete('r-cancel');
    release();
    const fetches = featureStore.requests.length;
    const resumed = await start({ requestId: 'r-cancel' });
    expect(resumed.runId).toBe(run.runId);
    const done = await finished(run.runId);
    expect(done).toMatchObject({ state: trainingV1.RunState.SUCCEEDED, resumeCount: 1 });
    expect(featureStore.requests).toHaveLength(fetches); // the training set came from the checkpoint
  });

  it('refuses bad input naming the field, and answers NOT_FOUND with a code', async () => {
    const unknown = await grpcError(
      grpc.call('StartRun', {
        requestedBy: 't',
        candidates: [{ algorithm: 'magic', params: {}, tuningBudgetSeconds: 0 }],
      }),
    );
    expect(unknown.status).toBe(status.INVALID_ARGUMENT);
    expect(unknown.violations[0]).toMatchObject({ field: 'candidates[0].algorithm' });
    const params = await grpcError(
      grpc.call('StartRun', {
        requestedBy: 't',
        candidates: [{ algorithm: 'ease', params: { lambda: { numberValue: -5 } }, tuningBudgetSeconds: 0 }],
      }),
    );
    expect(params.violations[0]).toMatchObject({ field: 'candidates[0].params' });
    const who = await grpcError(grpc.call('StartRun', {}));
    expect(who.violations).toEqual([{ field: 'requestedBy', message: 'requestedBy is required' }]);
    const window = await grpcError(
      grpc.call('StartRun', { requestedBy: 't', asOf: AS_OF, windowStart: toTimestamp(HISTORY_START + 40 * DAY_MS) }),
    );
    expect(window.violations[0]).toMatchObject({ field: 'window_start' });
    expect(await grpcError(grpc.call('GetRun', { runId: 'nope' }))).toMatchObject({ status: status.INVALID_ARGUMENT });
    expect(await grpcError(grpc.call('GetModel', { modelId: '00000000-0000-4000-8000-000000000000' }))).toMatchObject({
      status: status.NOT_FOUND,
      code: 'MODEL.NOT_FOUND',
    });
    expect(await grpcError(grpc.call('GetModel', {}))).toMatchObject({ status: status.INVALID_ARGUMENT });
    expect(await grpcError(grpc.call('CompareModels', { modelIds: [popularityId] }))).toMatchObject({
      status: status.INVALID_ARGUMENT,
    });

    const bad = await http('/v1/runs', {
      method: 'POST',
      body: JSON.stringify({
        requestedBy: 'x',
        evaluation: { trainRatio: 2 },
        weights: [{ type: 'teleport', weight: 1 }],
      }),
    });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { code: string; violations: { field: string }[] } };
    expect(body.error.code).toBe('REQUEST.INVALID');
    expect(body.error.violations.map((v) => v.field).sort()).toEqual(['evaluation.trainRatio', 'weights[0].type']);
    const missing = await http('/v1/runs/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('RUN.NOT_FOUND');
  });

  it("fails a run whose training set does not match the trailer's checksum", async () => {
    featureStore.corruptChecksum = true;
    try {
      const run = await finished(
        (
          await start({
            requestId: 'r-checksum',
            candidates: [{ algorithm: 'popularity', params: {}, tuningBudgetSeconds: 0 }],
          })
        ).runId,
      );
      expect(run.state).toBe(trainingV1.RunState.FAILED);
      expect(run.errorMessage).toMatch(/checksum/);
    } finally {
      featureStore.corruptChecksum = false;
    }
  });

  it('starts a run on its schedule and when enough new interaction events arrived', async () => {
    const service = t.app.app.get(TrainingRunService);
    const scheduled = await service.runScheduled();
    expect(scheduled).toMatchObject({ trigger: 'schedule', requestedBy: 'schedule' });
    expect(await service.runScheduled()).toBeUndefined(); // one at a time
    await finished(scheduled!.runId);

    for (let i = 0; i < 5; i++) {
      await t.bus.publish('events.v1.interaction', { eventId: `e${i}` }, { msgId: `e${i}` });
    }
    const runs = await eventually(
      async () => (await grpc.call<trainingV1.ListRunsResponse>('ListRuns', {})).runs,
      (r) => r[0]?.trigger === trainingV1.RunTrigger.NEW_DATA,
      'a new-data run',
    );
    expect(runs[0].requestedBy).toBe('new-data');
    await finished(runs[0].runId);
  });
});
