import { Logger } from '@nestjs/common';
import { defaultRegistry, InteractionDataset } from '@app/recsys';
import { checksumOf, ModelRef, TrainingClient } from '../infra/training.client';
import { ModelHolder } from './model-holder.service';

const deferred = <T>() => {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};

describe(ModelHolder.name, () => {
  let bytes: Buffer;
  const ref = (version: number): ModelRef => ({
    modelId: `m${version}`,
    version,
    algorithm: 'popularity',
    checksum: checksumOf(bytes),
  });
  let training: { champion: jest.Mock; model: jest.Mock; artifact: jest.Mock };
  let holder: ModelHolder;

  beforeAll(async () => {
    const model = defaultRegistry.create('popularity', {});
    await model.fit(
      InteractionDataset.fromInteractions(
        Array.from({ length: 40 }, (_, i) => ({ userId: `u${i % 8}`, itemId: `i${(i * 3) % 11}`, timestamp: i })),
      ),
    );
    bytes = Buffer.from(model.serialize());
  });

  beforeEach(() => {
    for (const level of ['log', 'warn', 'error'] as const) jest.spyOn(Logger.prototype, level).mockImplementation();
    training = { champion: jest.fn(), model: jest.fn(), artifact: jest.fn(async () => bytes) };
    holder = new ModelHolder(training as unknown as TrainingClient, { RECOMMENDATION_MODEL_CHECK_INTERVAL_SECONDS: 0 });
  });
  afterEach(() => {
    holder.onApplicationShutdown();
    jest.restoreAllMocks();
  });

  it('serves nothing while training is down at start-up, retries with backoff, then loads the champion', async () => {
    training.champion.mockRejectedValueOnce(new Error('connect ECONNREFUSED')).mockResolvedValue(ref(1));
    holder.onApplicationBootstrap();
    await new Promise((r) => setImmediate(r));
    expect(holder.current()).toBeUndefined();
    expect(holder.status()).toEqual({ state: 'loading', lastError: expect.stringMatching(/ECONNREFUSED/) });
    await new Promise((r) => setTimeout(r, 1200)); // first retry after 1 s
    expect(holder.current()).toMatchObject({ modelId: 'm1', version: 1 });
    expect(holder.status()).toEqual({ state: 'ready', modelId: 'm1' });
  });

  it('reports "none" when training has no champion yet', async () => {
    training.champion.mockResolvedValue(undefined);
    holder.onApplicationBootstrap();
    await new Promise((r) => setImmediate(r));
    expect(holder.status()).toEqual({ state: 'none' });
  });

  it('keeps the current model when a load fails, and retries when the model is announced again', async () => {
    await holder.promoted(ref(1));
    training.artifact.mockRejectedValueOnce(new Error('artifact of model m2 hashes to sha256:00, expected sha256:11'));
    await holder.promoted(ref(2));
    expect(holder.current()?.modelId).toBe('m1');
    expect(holder.status()).toEqual({ state: 'ready', modelId: 'm1', lastError: expect.stringMatching(/m2.*hashes/) });
    await holder.promoted(ref(2));
    expect(holder.current()?.modelId).toBe('m2');
    expect(holder.status().lastError).toBeUndefined();
  });

  it('ignores stale promotions but honours a rollback', async () => {
    await holder.promoted(ref(3));
    await holder.promoted(ref(2));
    expect(holder.current()?.version).toBe(3);
    expect(training.artifact).toHaveBeenCalledTimes(1);
    await holder.promoted({ ...ref(2), reason: 'rollback' });
    expect(holder.current()?.version).toBe(2);
  });

  it('converges on the newest promotion when one arrives during a load', async () => {
    const slow = deferred<Buffer>();
    training.artifact.mockImplementationOnce(() => slow.promise);
    const first = holder.promoted(ref(2));
    const second = holder.promoted(ref(3));
    slow.resolve(bytes);
    await Promise.all([first, second]);
    expect(holder.current()?.version).toBe(3);
  });

  it('does not let a champion check that started before a promotion undo it', async () => {
    await holder.promoted(ref(1));
    const answer = deferred<ModelRef | undefined>();
    training.champion.mockImplementationOnce(() => answer.promise);
    const check = holder.checkChampion();
    await holder.promoted(ref(3));
    answer.resolve(ref(2)); // what training said before it promoted m3
    await check;
    expect(holder.current()?.modelId).toBe('m3');
    training.champion.mockResolvedValueOnce(ref(2)); // a later check is authoritative (e.g. a rollback we missed)
    await holder.checkChampion();
    expect(holder.current()?.modelId).toBe('m2');
  });

  it('records a failing champion check without touching the model', async () => {
    await holder.promoted(ref(1));
    training.champion.mockRejectedValueOnce(new Error('Breaker is open'));
    await holder.checkChampion();
    expect(holder.status()).toEqual({
      state: 'ready',
      modelId: 'm1',
      lastError: 'champion check failed: Breaker is open',
    });
    training.champion.mockResolvedValueOnce(ref(1));
    await holder.checkChampion();
    expect(holder.status()).toEqual({ state: 'ready', modelId: 'm1' });
  });

  it('keeps a few variants (LRU), shares concurrent loads and does not hammer training for one it could not load', async () => {
    training.model.mockImplementation(async (id: string) => (id === 'gone' ? undefined : ref(Number(id.slice(1)))));
    const [a, again] = await Promise.all([holder.byId('m1'), holder.byId('m1')]);
    expect(a).toBe(again);
    expect(training.artifact).toHaveBeenCalledTimes(1);
    for (const id of ['m2', 'm3', 'm4']) await holder.byId(id);
    await holder.byId('m1'); // evicted (least recently used): downloaded again
    expect(training.artifact).toHaveBeenCalledTimes(5);
    expect(await holder.byId('gone')).toBeUndefined();
    expect(await holder.byId('gone')).toBeUndefined();
    expect(training.model.mock.calls.filter(([id]) => id === 'gone')).toHaveLength(1);
  });
});
