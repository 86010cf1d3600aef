import { constants, createPublicKey, KeyObject, verify } from 'node:crypto';
import type { Principal } from './api-key';

/*
 * Bearer JWTs from an identity provider, verified with node:crypto alone: the signature against the
 * issuer's published keys (JWKS, cached, fetched again when a token names a key not seen yet), then
 * issuer, audience, expiry and not-before with a small clock skew. Scopes come from `scope` (space-
 * separated, RFC 8693) or `scp` (a list, as some providers send).
 */

export interface JwtVerifierOptions {
  issuer: string;
  /** When set, the token's `aud` (a string or a list) must contain it. */
  audience?: string;
  jwksUrl: string;
  clockSkewSeconds?: number;
  /** The JWKS is fetched at most this often when unknown key ids keep arriving. */
  minRefetchIntervalMs?: number;
  now?: () => number;
}

/** A token that does not authenticate, and why (for logs; callers answer 401 without the detail). */
export class JwtRejected extends Error {}

interface Jwk {
  kid?: string;
  kty: string;
  alg?: string;
  use?: string;
  [k: string]: unknown;
}

/** JWS algorithms accepted, with how to check them. `none` and HMAC (a shared secret) never are. */
const ALGORITHMS: Record<string, { hash: string | null; kty: string; padding?: number; dsaEncoding?: 'ieee-p1363' }> = {
  RS256: { hash: 'sha256', kty: 'RSA' },
  RS384: { hash: 'sha384', kty: 'RSA' },
  RS512: { hash: 'sha512', kty: 'RSA' },
  PS256: { hash: 'sha256', kty: 'RSA', padding: constants.RSA_PKCS1_PSS_PADDING },
  PS384: { hash: 'sha384', kty: 'RSA', padding: constants.RSA_PKCS1_PSS_PADDING },
  ES256: { hash: 'sha256', kty: 'EC', dsaEncoding: 'ieee-p1363' },
  ES384: { hash: 'sha384', kty: 'EC', dsaEncoding: 'ieee-p1363' },
  EdDSA: { hash: null, kty: 'OKP' },
};

function part<T>(segment: string, what: string): T {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as T;
  } catch {
    throw new JwtRejected(`malformed ${what}`);
  }
}

export class JwtVerifier {
  private keys = new Map<string, { key: KeyObject; kty: string }>();
  private fetchedAt = 0;
  private fetching?: Promise<void>;
  private readonly now: () => number;

  constructor(private readonly options: JwtVerifierOptions) {
    this.now = options.now ?? Date.now;
  }

  async verify(token: string): Promise<Principal> {
    const segments = token.split('.');
    if (segments.length !== 3) throw new JwtRejected('not a JWS compact token');
    const header = part<{ alg?: string; kid?: string; typ?: string }>(segments[0], 'header');
    const algorithm = header.alg ? ALGORITHMS[header.alg] : undefined;
    if (!algorithm) throw new JwtRejected(`algorithm ${header.alg ?? '(none)'} not accepted`);
    const key = await this.key(header.kid ?? '');
    if (key.kty !== algorithm.kty) throw new JwtRejected(`key ${header.kid} is not a ${algorithm.kty} key`);
    const signed = Buffer.from(`${segments[0]}.${segments[1]}`);
    const signature = Buffer.from(segments[2], 'base64url');
    const ok = verify(
      algorithm.hash,
      signed,
      {
        key: key.key,
        ...(algorithm.padding !== undefined
          ? { padding: algorithm.padding, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
          : {}),
        ...(algorithm.dsaEncoding ? { dsaEncoding: algorithm.dsaEncoding } : {}),
      },
      signature,
    );
    if (!ok) throw new JwtRejected('bad signature');

    const claims = part<Record<string, unknown>>(segments[1], 'payload');
    const skew = this.options.clockSkewSeconds ?? 60;
    const now = this.now() / 1000;
    if (claims.iss !== this.options.issuer) throw new JwtRejected('wrong issuer');
    if (this.options.audience !== undefined) {
      const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (!aud.includes(this.options.audience)) throw new JwtRejected('wrong audience');
    }
    if (typeof claims.exp !== 'number') throw new JwtRejected('no expiry');
    if (claims.exp + skew <= now) throw new JwtRejected('expired');
    if (typeof claims.nbf === 'number' && claims.nbf - skew > now) throw new JwtRejected('not yet valid');
    const sub = typeof claims.sub === 'string' && claims.sub ? claims.sub : undefined;
    if (!sub) throw new JwtRejected('no subject');
    const scopes =
      typeof claims.scope === 'string'
        ? claims.scope.split(' ')
        : Array.isArray(claims.scp)
          ? claims.scp
          : typeof claims.scp === 'string'
            ? claims.scp.split(' ')
            : [];
    return {
      kind: 'jwt',
      id: sub,
      name: typeof claims.name === 'string' ? claims.name : sub,
      scopes: new Set(scopes.filter((s): s is string => typeof s === 'string' && s.length > 0)),
    };
  }

  private async key(kid: string): Promise<{ key: KeyObject; kty: string }> {
    let found = this.keys.get(kid);
    if (found) return found;
    const interval = this.options.minRefetchIntervalMs ?? 30_000;
    if (this.fetchedAt === 0 || this.now() - this.fetchedAt >= interval) {
      this.fetching ??= this.fetchKeys().finally(() => (this.fetching = undefined));
      await this.fetching;
      found = this.keys.get(kid);
    }
    if (!found) throw new JwtRejected(`unknown key ${kid || '(no kid)'}`);
    return found;
  }

  private async fetchKeys(): Promise<void> {
    this.fetchedAt = this.now();
    const res = await fetch(this.options.jwksUrl, { signal: AbortSignal.timeout(5_000) }).catch((err: Error) => {
      throw new JwtRejected(`JWKS unreachable: ${err.message}`);
    });
    if (!res.ok) throw new JwtRejected(`JWKS answered ${res.status}`);
    const body = (await res.json()) as { keys?: Jwk[] };
    const keys = new Map<string, { key: KeyObject; kty: string }>();
    for (const jwk of body.keys ?? []) {
      if (jwk.use && jwk.use !== 'sig') continue;
      try {
        keys.set(jwk.kid ?? '', { key: createPublicKey({ key: jwk as never, format: 'jwk' }), kty: jwk.kty });
      } catch {
        // A key this runtime cannot read is skipped; tokens signed with it are refused as unknown.
      }
    }
    this.keys = keys;
  }
}
