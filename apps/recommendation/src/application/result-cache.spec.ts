import { ResultCache } from './result-cache';

describe(ResultCache.name, () => {
  it('reuses an answer until it expires or its subject acts, and stays bounded', () => {
    let now = 0;
    const cache = new ResultCache<string>(1000, 3, () => now);
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
