import { commonV1, featureStoreV1, trainingV1 } from '@app/contracts';
import { fromTimestamp, toTimestamp } from '@app/contracts/grpc';
import { UnavailableError } from '@app/platform/errors';
import { RawPublish } from '@app/platform/messaging';
import { eventually, startTestApp, TestApp } from '@app/testing/app';
import { grpcTestClient, GrpcTestClient } from '@app/testing/grpc';
// This spec is about the two services together, so it boots the real feature store in-process beside training.
import {
  TrainingPart,
  TrainingSetRequest,
  TrainingSetService,
} from '../apps/feature-store/src/application/training-set.service';
import { FeatureStoreModule } from '../apps/feature-store/src/feature-store.module';
import { FeatureRepository } from '../apps/feature-store/src/infra/feature.repository';
import { applied, interaction, item } from '../apps/feature-store/test/feature-store.test-kit';
import { TrainingModule } from '../apps/training/src/training.module';
import {
  DAY_MS,
  HISTORY_START,
  selectRows,
  SyntheticEvent,
  syntheticHistory,
} from '../apps/training/test/feature-store.stand-in';

const AS_OF = HISTORY_START + 30 * DAY_MS;
const FINISHED = [trainingV1.RunState.SUCCEEDED, trainingV1.RunState.FAILED, trainingV1.RunState.CANCELLED];
const WEIGHTS: commonV1.InteractionWeight[] = [
  { type: commonV1.InteractionType.VIEW, weight: 1 },
  { type: commonV1.InteractionType.PURCHASE, weight: 5 },
];
type Part = featureStoreV1.StreamTrainingSetResponse;

/**
 * Events the store holds that a run as of AS_OF must not see: one exactly at AS_OF (the bound is strict), the
 * rest after it, several from a user and of an item that exist only in the future.
 */
function futureEvents(): SyntheticEvent[] {
  const { VIEW, PURCHASE } = commonV1.InteractionType;
  const at = (ms: number) => new Date(AS_OF + ms);
  return [
    { userId: 'u0', itemId: 'i99', type: PURCHASE, at: at(0) },
    { userId: 'u1', itemId: 'i99', type: VIEW, at: at(60_000) },
    { userId: 'u99', itemId: 'i0', type: PURCHASE, at: at(DAY_MS) },
    { userId: 'u99', itemId: 'i99', type: PURCHASE, at: at(DAY_MS + 60_000) },
    { userId: 'u2', itemId: 'i3', type: VIEW, at: at(2 * DAY_MS) },
  ];
}

/** A synthetic event as ingestion would publish it on `events.v1.interaction`. */
function asPublished(e: SyntheticEvent): RawPublish {
  const payload = interaction({
    userId: e.userId,
    itemId: e.itemId,
    type: e.type.replace('INTERACTION_TYPE_', '').toLowerCase(),
    at: e.at.getTime(),
  });
  return raw('events.v1.interaction', payload, String(payload.eventId));
}

function raw(subjectSuffix: string, payload: unknown, msgId: string): RawPublish {
  return { subjectSuffix, body: new TextEncoder().encode(JSON.stringify(payload)), msgId };
}

/** The store's request back in proto form (what `selectRows` and a gRPC client take). */
function toProto(r: TrainingSetRequest): featureStoreV1.StreamTrainingSetRequest {
  return {
    asOf: toTimestamp(r.asOf!),
    windowStart: r.windowStart ? toTimestamp(r.windowStart) : null,
    weights: r.weights.map((w) => ({
      type: commonV1.InteractionType[w.type.toUpperCase() as keyof typeof commonV1.InteractionType],
      weight: w.weight,
    })),
    includeSessions: r.includeSessions,
    includeItems: r.includeItems,
    batchSize: r.batchSize ?? 0,
    resumeToken: r.resumeToken ?? '',
  };
}

/** The store's stream, failing like a dropped connection after `batches` interaction batches. */
async function* breakAfter(parts: AsyncGenerator<TrainingPart>, batches: number): AsyncGenerator<TrainingPart> {
  let sent = 0;
  for await (const part of parts) {
    yield part;
    if ('interactions' in part && ++sent === batches) {
      throw new UnavailableError('TEST.CONNECTION_RESET', 'connection reset');
    }
  }
}

/** A row as `user item weight time`, to compare streamed rows with selected ones regardless of tie order. */
const rowKey = (userId: string, itemId: string, weight: number, at: Date) =>
  `${userId} ${itemId} ${weight} ${at.toISOString()}`;

describe('training service over the real feature store (real PostgreSQL and NATS)', () => {
  const history = syntheticHistory();
  const future = futureEvents();
  let store: TestApp;
  let training: TestApp;
  let storeRpc: GrpcTestClient;
  let trainingRpc: GrpcTestClient;
  /** Every training-set request the real store served, as it decoded them. */
  let served: jest.SpyInstance<ReturnType<TrainingSetService['stream']>, [TrainingSetRequest]>;
  let run: trainingV1.Run;

  /** Starts a run as of AS_OF and waits for it to finish. */
  const train = async (requestId: string, algorithms: string[], autoPromote: boolean) => {
    const { run: queued } = await trainingRpc.call<trainingV1.StartRunResponse>('StartRun', {
      requestId,
      asOf: toTimestamp(AS_OF),
      weights: WEIGHTS,
      candidates: algorithms.map((algorithm) => ({ algorithm, params: {}, tuningBudgetSeconds: 0 })),
      autoPromote,
      requestedBy: 'test',
    });
    return eventually(
      async () => (await trainingRpc.call<trainingV1.GetRunResponse>('GetRun', { runId: queued!.runId })).run!,
      (r) => FINISHED.includes(r.state),
      `run ${requestId} to finish`,
      30_000,
    );
  };

  beforeAll(async () => {
    store = await startTestApp('feature-store', (env) => FeatureStoreModule.register({ env }));
    storeRpc = grpcTestClient('feature-store', store.app.grpcUrl);
    const items = [...new Set([...history, ...future].map((e) => e.itemId))].map((id) =>
      item(id, { categories: [`group-${Number(id.slice(1)) % 4}`], at: HISTORY_START - DAY_MS }),
    );
    const acks = await store.bus.publishMany([
      ...items.map((p) => raw('catalog.v1.item', p, `item:${p.itemId}:${p.updatedAt}`)),
      ...[...history, ...future].map(asPublished),
    ]);
    await applied(store.app.app.get(FeatureRepository), 'feature-store', Math.max(...acks.map((a) => a.seq)));
    served = jest.spyOn(store.app.app.get(TrainingSetService), 'stream');

    training = await startTestApp('training', (env) => TrainingModule.register({ env }), {
      FEATURE_STORE_GRPC_URL: store.app.grpcUrl,
      TRAINING_SCHEDULE_INTERVAL_MINUTES: '0',
      TRAINING_MIN_NEW_EVENTS: '0',
      TRAINING_POLL_INTERVAL_MS: '200',
      TRAINING_WINDOW_DAYS: '0',
      // Several batches per stream, so there is a resume token to resume from.
      TRAINING_FETCH_BATCH_SIZE: '64',
    });
    trainingRpc = grpcTestClient('training', training.app.grpcUrl);

    // content asks the store for the items too.
    run = await train('real-store', ['popularity', 'ease', 'content'], true);
  }, 60_000);

  afterAll(async () => {
    served?.mockRestore();
    trainingRpc?.close();
    storeRpc?.close();
    await training?.close();
    await store?.close();
  });

  it('trains every candidate, registers them and promotes the best, which beats popularity', async () => {
    expect(run).toMatchObject({ state: trainingV1.RunState.SUCCEEDED, errorMessage: '', progress: { stage: 'done' } });
    expect(run.results.map((r) => [r.spec!.algorithm, r.errorMessage])).toEqual([
      ['popularity', ''],
      ['ease', ''],
      ['content', ''],
    ]);
    const models = await trainingRpc.call<trainingV1.ListModelsResponse>('ListModels', { runId: run.runId });
    expect(models.models.map((m) => m.algorithm).sort()).toEqual(['content', 'ease', 'popularity']);
    expect(models.models.every((m) => m.dataWindow!.snapshotId === run.dataWindow!.snapshotId)).toBe(true);

    const champion = (
      await trainingRpc.call<trainingV1.GetModelResponse>('GetModel', { alias: trainingV1.ModelAlias.CHAMPION })
    ).model!;
    expect(champion).toMatchObject({ status: trainingV1.ModelStatus.CHAMPION, runId: run.runId });
    expect(run.promotion).toMatchObject({ promoted: true, metric: 'ndcg@10', previousChampionId: '' });
    const ndcg = (algorithm: string) =>
      run.results.find((r) => r.spec!.algorithm === algorithm)!.metrics.find((m) => m.name === 'ndcg' && m.k === 10)!
        .value;
    // Item categories carry the planted groups: content leads only if the store's catalogue reached it.
    expect(champion.algorithm).toBe('content');
    expect(ndcg(champion.algorithm)).toBeGreaterThan(ndcg('popularity') * 1.01);
    expect(run.promotion!.challengerValue).toBeCloseTo(ndcg(champion.algorithm), 10);
  });

  it('sends the store the request the run asked for, in one uninterrupted stream', () => {
    expect(served).toHaveBeenCalledTimes(1);
    expect(served.mock.calls[0][0]).toMatchObject({
      asOf: new Date(AS_OF),
      windowStart: undefined,
      weights: [
        { type: 'view', weight: 1 },
        { type: 'purchase', weight: 5 },
      ],
      includeItems: true,
      batchSize: 64,
      resumeToken: undefined,
    });
  });

  it('trains on exactly the rows the request selects, under a snapshot id a second read repeats', async () => {
    const request = toProto(served.mock.calls[0][0]);
    const rows = selectRows(history, request);
    expect(run.dataWindow).toMatchObject({
      asOf: toTimestamp(AS_OF),
      interactionCount: rows.length,
      userCount: new Set(rows.map((r) => r.userId)).size,
      itemCount: new Set(rows.map((r) => r.itemId)).size,
    });
    expect(run.dataWindow!.snapshotId).toMatch(/^[0-9a-f]{32}$/);

    const again = await storeRpc.stream<Part>('StreamTrainingSet', request);
    expect(again[0].header).toMatchObject({ interactionCount: rows.length, snapshotId: run.dataWindow!.snapshotId });
    const streamed = again.flatMap((p) => p.interactions?.interactions ?? []);
    expect(streamed.map((r) => rowKey(r.userId, r.itemId, r.weight, fromTimestamp(r.occurredAt!))).sort()).toEqual(
      rows.map((r) => rowKey(r.userId, r.itemId, r.weight, r.at)).sort(),
    );
    expect(again.flatMap((p) => p.items?.items ?? []).map((i) => i.itemId)).toEqual(
      [...new Set(rows.map((r) => r.itemId))].sort(),
    );
  });

  it('leaves out the events at or after the as-of time, which the store holds', async () => {
    const request = toProto(served.mock.calls[0][0]);
    expect(selectRows(future, request)).toEqual([]);
    // The same request a week later sees every one of them: they were applied, not lost.
    const later = { ...request, asOf: toTimestamp(AS_OF + 7 * DAY_MS) };
    const parts = await storeRpc.stream<Part>('StreamTrainingSet', later);
    expect(parts[0].header!.interactionCount).toBe(selectRows(history, request).length + future.length);
    expect(parts[0].header!.snapshotId).not.toBe(run.dataWindow!.snapshotId);
    const laterRows = parts.flatMap((p) => p.interactions?.interactions ?? []);
    expect(laterRows.some((r) => r.userId === 'u99' && r.itemId === 'i99')).toBe(true);
    // The run saw neither the future-only user nor the future-only item.
    expect(run.dataWindow).toMatchObject({ userCount: 48, itemCount: new Set(history.map((e) => e.itemId)).size });
    expect(history.some((e) => e.userId === 'u99' || e.itemId === 'i99')).toBe(false);
  });

  it("resumes an interrupted stream from the store's own token, to the same snapshot and holdout", async () => {
    const before = served.mock.calls.length;
    const original = TrainingSetService.prototype.stream;
    served.mockImplementationOnce(function (this: TrainingSetService, r: TrainingSetRequest) {
      return breakAfter(original.call(this, r), 2);
    });
    const resumed = await train('real-store-resumed', ['ease'], false);
    expect(resumed).toMatchObject({ state: trainingV1.RunState.SUCCEEDED, errorMessage: '' });
    const tokens = served.mock.calls.slice(before).map(([r]) => r.resumeToken);
    expect(tokens).toEqual([undefined, expect.stringMatching(/.+/)]);
    expect(resumed.dataWindow).toEqual(run.dataWindow);

    const ease = (r: trainingV1.Run) => r.results.find((x) => x.spec!.algorithm === 'ease')!.modelId;
    const compared = await trainingRpc.call<trainingV1.CompareModelsResponse>('CompareModels', {
      modelIds: [ease(run), ease(resumed)],
      metrics: [],
    });
    expect(compared.sameHoldout).toBe(true);
  });
});
