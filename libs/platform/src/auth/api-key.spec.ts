import { ApiKeyRecord, describeKey, hashSecret, invalidScope, newApiKey, parseApiKey, refusal } from './api-key';

describe('API keys', () => {
  it('makes tokens that parse back to their id and secret, and refuses anything else', () => {
    const { keyId, secret, token } = newApiKey();
    expect(token).toBe(`rk_${keyId}_${secret}`);
    expect(parseApiKey(token)).toEqual({ keyId, secret });
    for (const bad of ['', 'rk_', `rk_${keyId}`, `xk_${keyId}_${secret}`, `rk_${keyId}_short`, `rk_ABC_${secret}`])
      expect(parseApiKey(bad)).toBeUndefined();
    expect(newApiKey().token).not.toBe(token);
  });

  it('accepts the secret, a rotated secret only within its grace, and nothing revoked or expired', () => {
    const now = Date.parse('2026-11-22T10:00:00Z');
    const base: ApiKeyRecord = {
      keyId: 'abcdefabcdef',
      name: 'storefront',
      scopes: ['recommendations:read'],
      hash: hashSecret('new'),
      previousHash: hashSecret('old'),
      previousValidUntil: new Date(now + 1000).toISOString(),
      createdAt: new Date(now - 1000).toISOString(),
      createdBy: 'ops',
    };
    expect(refusal(base, 'new', now)).toBeUndefined();
    expect(refusal(base, 'old', now)).toBeUndefined();
    expect(refusal(base, 'old', now + 1000)).toBe('rotated');
    expect(refusal(base, 'guess', now)).toBe('wrong secret');
    expect(refusal({ ...base, revokedAt: new Date(now).toISOString() }, 'new', now)).toBe('revoked');
    expect(refusal({ ...base, expiresAt: new Date(now).toISOString() }, 'new', now)).toBe('expired');
  });

  it('checks scopes are area:action and never shows hashes', () => {
    expect(invalidScope(['events:write', 'dss:approve'])).toBeUndefined();
    expect(invalidScope(['events:write', 'admin'])).toBe('admin');
    const shown = describeKey({
      keyId: 'k',
      name: 'n',
      scopes: [],
      hash: 'h',
      previousHash: 'p',
      createdAt: '',
      createdBy: 'x',
    });
    expect(JSON.stringify(shown)).not.toMatch(/"hash"|previousHash/);
  });
});
