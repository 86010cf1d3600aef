import { DomainError } from '../errors/domain-error';
import { JetStreamClient } from '../messaging/jetstream.client';
import { eventually } from '@app/testing/app';
import { TEST_NATS_URL, uniqueNamespace } from '@app/testing';
import { API_KEY_BUCKET, ApiKeyRegistry } from './api-key.registry';

/** Two replicas (two connections, one namespace) share the keys through a real JetStream Key-Value bucket. */
describe(ApiKeyRegistry.name, () => {
  const namespace = uniqueNamespace('apikeys');
  let busA: JetStreamClient;
  let busB: JetStreamClient;
  let a: ApiKeyRegistry;
  let b: ApiKeyRegistry;
  let now = Date.parse('2026-11-22T10:00:00Z');

  beforeAll(async () => {
    busA = await JetStreamClient.connect({ url: TEST_NATS_URL, namespace, name: 'keys-a' });
    busB = await JetStreamClient.connect({ url: TEST_NATS_URL, namespace, name: 'keys-b' });
    a = await ApiKeyRegistry.open(busA, () => now);
    b = await ApiKeyRegistry.open(busB, () => now);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await (await busA.keyValue(API_KEY_BUCKET)).destroy();
    await busA?.close();
    await busB?.close();
  });

  const scopesOf = (r: ReturnType<ApiKeyRegistry['authenticate']>) =>
    'principal' in r ? [...r.principal.scopes] : r.refused;

  it('knows a key created on one replica on the other, and refuses a wrong secret', async () => {
    const { key, token } = await a.create({
      name: 'storefront',
      scopes: ['recommendations:read', 'events:write'],
      createdBy: 'ops',
    });
    expect(key).toMatchObject({
      name: 'storefront',
      scopes: ['events:write', 'recommendations:read'],
      createdBy: 'ops',
    });
    expect(scopesOf(a.authenticate(token))).toEqual(['events:write', 'recommendations:read']);
    await eventually(
      async () => scopesOf(b.authenticate(token)),
      (s) => Array.isArray(s),
      'replica B to know the key',
    );
    expect(b.authenticate(`${token.slice(0, -2)}xx`)).toEqual({ refused: 'wrong secret' });
    expect(b.authenticate('rk_nope')).toEqual({ refused: 'not an API key' });
    expect((await b.list()).map((k) => k.keyId)).toContain(key.keyId);
    expect(JSON.stringify(await b.list())).not.toContain('hash');
  });

  it('rotates with a grace period for the old secret, and revokes everywhere', async () => {
    const { key, token: first } = await a.create({ name: 'dss', scopes: ['dss:read'], createdBy: 'ops' });
    const { token: second } = await b.rotate(key.keyId, 1);
    await eventually(async () => 'principal' in a.authenticate(second), Boolean, 'the new secret on A');
    expect('principal' in a.authenticate(first)).toBe(true); // within the hour's grace
    now += 3_600_000;
    expect(a.authenticate(first)).toEqual({ refused: 'rotated' });
    expect('principal' in a.authenticate(second)).toBe(true);
    await a.revoke(key.keyId);
    await eventually(
      async () => b.authenticate(second),
      (r) => 'refused' in r && r.refused === 'revoked',
      'B to refuse it',
    );
    await expect(a.rotate(key.keyId)).rejects.toMatchObject({
      violations: [{ field: 'key_id', message: 'the key is revoked' }],
    });
  });

  it('expires keys and refuses bad input naming the field', async () => {
    const { token } = await a.create({ name: 'temp', scopes: ['events:read'], createdBy: 'ops', expiresInDays: 1 });
    expect('principal' in a.authenticate(token)).toBe(true);
    now += 86_400_000;
    expect(a.authenticate(token)).toEqual({ refused: 'expired' });
    await expect(a.create({ name: '', scopes: ['admin'], createdBy: '' })).rejects.toMatchObject({
      violations: [
        { field: 'name', message: expect.any(String) },
        { field: 'scopes', message: '"admin" is not of the form area:action' },
        { field: 'created_by', message: 'is required' },
      ],
    });
    await expect(a.revoke('../etc')).rejects.toBeInstanceOf(DomainError);
    await expect(a.revoke('abcdefabcdef')).rejects.toMatchObject({ code: 'API_KEY.NOT_FOUND' });
  });
});
