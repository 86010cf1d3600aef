import { TokenBuckets } from './token-bucket';

describe(TokenBuckets.name, () => {
  it('allows a burst, then one request per 1/rate seconds, per key', () => {
    let now = 0;
    const b = new TokenBuckets(2, 3, () => now);
    expect([b.take('a'), b.take('a'), b.take('a')]).toEqual([0, 0, 0]);
    expect(b.take('a')).toBe(1); // empty: a token in 0.5 s, said as whole seconds
    expect(b.take('b')).toBe(0); // another key has its own bucket
    now += 500;
    expect(b.take('a')).toBe(0);
    expect(b.take('a')).toBeGreaterThan(0);
    now += 10_000; // refilled to the burst, not beyond
    expect([b.take('a'), b.take('a'), b.take('a'), b.take('a') > 0]).toEqual([0, 0, 0, true]);
  });
});
