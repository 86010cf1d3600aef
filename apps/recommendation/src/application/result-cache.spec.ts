import { ResultCache } from './result-cache';

describe(ResultCache.name, () => {
  it('reuses an answer until it expires or its subject acts, and stays bounded', () => {
    let now = 0;
    const cache = new ResultCache<string>(
      1000,
      3,
      () => now,
      () => 0.5,
    ); // no jitter: lives exactly 1000
    cache.set('u:1', 'a', 'A');
    cache.set('u:1', 'b', 'B');
    cache.set('u:2', 'c', 'C');
    expect(cache.get('a')).toBe('A');
    expect(cache.invalidate('u:1')).toBe(2);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('c')).toBe('C');
    now = 1001;
    expect(cache.get('c')).toBeUndefined();
    for (const k of ['d', 'e', 'f', 'g']) cache.set('u:3', k, k);
    expect(cache.size).toBe(3);
    expect(cache.get('d')).toBeUndefined();
    expect(cache.get('g')).toBe('g');
  });
});

describe(`${ResultCache.name} computations`, () => {
  const deferred = <T>() => {
    let resolve!: (v: T) => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
    return { promise, resolve, reject };
  };

  it('shares one computation between concurrent misses of a key and caches what it may keep', async () => {
    const cache = new ResultCache<string>(1000, 10);
    const d = deferred<{ value: string; keep: boolean }>();
    let calls = 0;
    const compute = () => {
      calls++;
      return d.promise;
    };
    const answers = Promise.all([1, 2, 3].map(() => cache.getOrCompute('u:1', 'k', compute)));
    expect(cache.inFlight).toBe(1);
    d.resolve({ value: 'A', keep: true });
    expect(await answers).toEqual(['A', 'A', 'A']);
    expect(calls).toBe(1);
    expect(cache.inFlight).toBe(0);
    expect(await cache.getOrCompute('u:1', 'k', () => Promise.reject(new Error('not called')))).toBe('A');
  });

  it('does not keep an answer the computation marks as not to keep, nor a failure', async () => {
    const cache = new ResultCache<string>(1000, 10);
    expect(await cache.getOrCompute('u:1', 'k', async () => ({ value: 'degraded', keep: false }))).toBe('degraded');
    expect(cache.size).toBe(0);
    await expect(cache.getOrCompute('u:1', 'k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(cache.inFlight).toBe(0);
    expect(await cache.getOrCompute('u:1', 'k', async () => ({ value: 'B', keep: true }))).toBe('B');
  });

  it('neither caches nor lets anyone join a computation that started before its subject acted', async () => {
    const cache = new ResultCache<string>(1000, 10);
    const before = deferred<{ value: string; keep: boolean }>();
    const first = cache.getOrCompute('u:1', 'k', () => before.promise);
    cache.invalidate('u:1');
    const second = cache.getOrCompute('u:1', 'k', async () => ({ value: 'after', keep: true }));
    before.resolve({ value: 'before', keep: true });
    expect(await first).toBe('before');
    expect(await second).toBe('after');
    expect(cache.get('k')).toBe('after');
  });

  it('serves an ageing entry while one background computation refreshes it', async () => {
    let now = 0;
    const cache = new ResultCache<string>(
      1000,
      10,
      () => now,
      () => 0.5,
    ); // no jitter: lives exactly 1000
    cache.set('u:1', 'k', 'old');
    now = 800; // past the refresh point (750)
    const d = deferred<{ value: string; keep: boolean }>();
    let calls = 0;
    const compute = () => {
      calls++;
      return d.promise;
    };
    expect(await cache.getOrCompute('u:1', 'k', compute)).toBe('old');
    expect(await cache.getOrCompute('u:1', 'k', compute)).toBe('old');
    expect(calls).toBe(1);
    d.resolve({ value: 'new', keep: true });
    await d.promise;
    await Promise.resolve();
    expect(cache.get('k')).toBe('new');
  });

  it('jitters lifetimes so entries cached together expire apart', () => {
    let now = 0;
    const draws = [0, 1];
    const cache = new ResultCache<string>(
      1000,
      10,
      () => now,
      () => draws.shift() ?? 0.5,
    );
    cache.set('u:1', 'early', 'e');
    cache.set('u:2', 'late', 'l');
    now = 950;
    expect(cache.get('early')).toBeUndefined(); // lived 900
    expect(cache.get('late')).toBe('l'); // lives 1100
  });
});
