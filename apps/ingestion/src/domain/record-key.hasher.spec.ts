import { canonicalJson, CONTENT_HASH_LENGTH, contentHash } from './record-key.hasher';

describe('canonicalJson', () => {
  it('sorts keys at every depth and leaves out undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined }, e: 'x' })).toBe(
      '{"a":{"d":[1,{"y":2,"z":1}]},"b":1,"e":"x"}',
    );
  });
});

describe('contentHash', () => {
  it('is base64url of 32 characters, equal for equal content in any key order', () => {
    const h = contentHash({ a: 1, b: [1, 2] });
    expect(h).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(h).toHaveLength(CONTENT_HASH_LENGTH);
    expect(contentHash({ b: [1, 2], a: 1 })).toBe(h);
    expect(contentHash({ a: 1, b: [2, 1] })).not.toBe(h);
  });
});

describe('canonicalJson escaping', () => {
  it('matches JSON.stringify for strings that need escaping, in keys and values', () => {
    const tricky = [
      'plain',
      'quo"te',
      'back\\slash',
      'tab\tnew\nline',
      '\u0001',
      '\u2028',
      'lone \ud800',
      'emoji 😀',
      'é',
    ];
    for (const s of tricky) {
      expect(canonicalJson(s)).toBe(JSON.stringify(s));
      expect(canonicalJson({ [s]: s })).toBe(JSON.stringify({ [s]: s }));
    }
    expect(canonicalJson({ b: 1, a: 2, B: 3, _: 4 })).toBe('{"B":3,"_":4,"a":2,"b":1}');
    expect(canonicalJson([1.5, true, null, undefined])).toBe(JSON.stringify([1.5, true, null, undefined]));
  });

  it('leaves out the named top-level members only', () => {
    expect(canonicalJson({ id: 'x', a: { id: 'y' } }, new Set(['id']))).toBe('{"a":{"id":"y"}}');
  });
});
