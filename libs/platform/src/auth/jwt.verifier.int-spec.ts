import { generateKeyPairSync, KeyObject, sign } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { JwtRejected, JwtVerifier } from './jwt.verifier';

/** A JWKS served over real HTTP by the test, and tokens signed with node:crypto. */
describe(JwtVerifier.name, () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const later = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let published: { kid: string; key: KeyObject }[] = [
    { kid: 'rsa-1', key: rsa.publicKey },
    { kid: 'ec-1', key: ec.publicKey },
  ];
  let fetches = 0;
  let server: Server;
  let url = '';
  let now = Date.parse('2026-11-22T10:00:00Z');
  const ISSUER = 'https://id.example.test/';

  beforeAll(async () => {
    server = createServer((_req, res) => {
      fetches++;
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          keys: published.map((p) => ({ ...p.key.export({ format: 'jwk' }), kid: p.kid, use: 'sig' })),
        }),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  function token(alg: string, kid: string, key: KeyObject, claims: object): string {
    const head = `${b64({ alg, kid, typ: 'JWT' })}.${b64(claims)}`;
    const hash = alg === 'EdDSA' ? null : `sha${alg.slice(2)}`;
    const signature = sign(hash, Buffer.from(head), alg.startsWith('ES') ? { key, dsaEncoding: 'ieee-p1363' } : key);
    return `${head}.${signature.toString('base64url')}`;
  }
  const seconds = () => Math.floor(now / 1000);
  const claims = (extra: object = {}) => ({
    iss: ISSUER,
    aud: ['retail-reco'],
    sub: 'svc-storefront',
    exp: seconds() + 300,
    scope: 'recommendations:read events:write',
    ...extra,
  });
  const verifier = () =>
    new JwtVerifier({
      issuer: ISSUER,
      audience: 'retail-reco',
      jwksUrl: url,
      now: () => now,
      minRefetchIntervalMs: 1000,
    });

  it('accepts RS256 and ES256 tokens from the published keys, with their scopes', async () => {
    const v = verifier();
    const p = await v.verify(token('RS256', 'rsa-1', rsa.privateKey, claims()));
    expect(p).toMatchObject({ kind: 'jwt', id: 'svc-storefront' });
    expect([...p.scopes].sort()).toEqual(['events:write', 'recommendations:read']);
    const e = await v.verify(token('ES256', 'ec-1', ec.privateKey, claims({ scope: undefined, scp: ['dss:read'] })));
    expect([...e.scopes]).toEqual(['dss:read']);
  });

  it('refuses forged, tampered, expired, early, foreign and unsigned tokens', async () => {
    const v = verifier();
    const reason = (t: string) =>
      v.verify(t).then(
        () => 'accepted',
        (e: Error) => (e instanceof JwtRejected ? e.message : `crash: ${e.message}`),
      );
    const good = token('RS256', 'rsa-1', rsa.privateKey, claims());
    const [h, , s] = good.split('.');
    expect(await reason(`${h}.${b64(claims({ scope: 'keys:admin' }))}.${s}`)).toBe('bad signature');
    expect(await reason(token('RS256', 'rsa-1', later.privateKey, claims()))).toBe('bad signature');
    expect(await reason(token('RS256', 'rsa-1', rsa.privateKey, claims({ iss: 'https://evil.test/' })))).toBe(
      'wrong issuer',
    );
    expect(await reason(token('RS256', 'rsa-1', rsa.privateKey, claims({ aud: 'other' })))).toBe('wrong audience');
    expect(await reason(token('RS256', 'rsa-1', rsa.privateKey, claims({ exp: seconds() - 120 })))).toBe('expired');
    expect(await reason(token('RS256', 'rsa-1', rsa.privateKey, claims({ nbf: seconds() + 600 })))).toBe(
      'not yet valid',
    );
    expect(await reason(token('RS256', 'rsa-1', rsa.privateKey, claims({ exp: undefined })))).toBe('no expiry');
    expect(await reason(`${b64({ alg: 'none', kid: 'rsa-1' })}.${b64(claims())}.`)).toBe('algorithm none not accepted');
    expect(await reason(`${b64({ alg: 'HS256', kid: 'rsa-1' })}.${b64(claims())}.x`)).toBe(
      'algorithm HS256 not accepted',
    );
    expect(await reason(token('ES256', 'rsa-1', ec.privateKey, claims()))).toBe('key rsa-1 is not a EC key');
    expect(await reason('not.a-token')).toBe('not a JWS compact token');
    expect(await reason('%%%.e30.x')).toBe('malformed header');
  });

  it('fetches the keys again for an unknown key id, at most once per interval', async () => {
    const v = verifier();
    await v.verify(token('RS256', 'rsa-1', rsa.privateKey, claims()));
    const before = fetches;
    published = [...published, { kid: 'rsa-2', key: later.publicKey }];
    // Within the interval: no refetch, the new key is unknown.
    await expect(v.verify(token('RS256', 'rsa-2', later.privateKey, claims()))).rejects.toThrow('unknown key rsa-2');
    expect(fetches).toBe(before);
    now += 1000;
    const p = await v.verify(token('RS256', 'rsa-2', later.privateKey, claims()));
    expect(p.id).toBe('svc-storefront');
    expect(fetches).toBe(before + 1);
  });
});
