import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/*
 * API keys: `rk_<keyId>_<secret>`. The key id is public (it names the key in lists, logs and audits); the
 * secret is 32 random bytes, shown once. Only the secret's SHA-256 is stored: a secret with 256 bits of
 * entropy cannot be guessed from its hash, so a slow password hash would only cost every request time.
 */

export const API_KEY_PREFIX = 'rk_';
const KEY_ID = /^[a-z0-9]{12}$/;
const SECRET = /^[A-Za-z0-9_-]{43}$/;
const SCOPE = /^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*$/;

/** What is stored about a key (never its secret). */
export interface ApiKeyRecord {
  keyId: string;
  name: string;
  scopes: string[];
  /** SHA-256 of the secret, hex. */
  hash: string;
  /** The hash the key had before its last rotation, accepted until `previousValidUntil`. */
  previousHash?: string;
  previousValidUntil?: string;
  createdAt: string;
  createdBy: string;
  expiresAt?: string;
  revokedAt?: string;
  rotatedAt?: string;
}

/** Who a request acts as, once authenticated. */
export interface Principal {
  kind: 'api_key' | 'jwt' | 'service';
  /** The key id, the token's subject, or the calling service. */
  id: string;
  name: string;
  scopes: ReadonlySet<string>;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A new key id and secret, and the token the caller presents. */
export function newApiKey(): { keyId: string; secret: string; token: string } {
  const keyId = randomBytes(9)
    .toString('base64url')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '0')
    .slice(0, 12);
  const secret = randomBytes(32).toString('base64url');
  return { keyId, secret, token: `${API_KEY_PREFIX}${keyId}_${secret}` };
}

/** Splits a presented token; undefined when it is not shaped like one of our keys. */
export function parseApiKey(token: string): { keyId: string; secret: string } | undefined {
  if (!token.startsWith(API_KEY_PREFIX)) return undefined;
  const rest = token.slice(API_KEY_PREFIX.length);
  const cut = rest.indexOf('_');
  if (cut < 0) return undefined;
  const keyId = rest.slice(0, cut);
  const secret = rest.slice(cut + 1);
  return KEY_ID.test(keyId) && SECRET.test(secret) ? { keyId, secret } : undefined;
}

/** Names the first scope that is not of the form `area:action`, if any. */
export function invalidScope(scopes: readonly string[]): string | undefined {
  return scopes.find((s) => !SCOPE.test(s));
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Why a record does not accept a secret now, or undefined when it does. */
export function refusal(record: ApiKeyRecord, secret: string, now: number): string | undefined {
  if (record.revokedAt) return 'revoked';
  if (record.expiresAt && Date.parse(record.expiresAt) <= now) return 'expired';
  const hash = hashSecret(secret);
  if (sameHash(record.hash, hash)) return undefined;
  if (record.previousHash && sameHash(record.previousHash, hash)) {
    if (record.previousValidUntil && Date.parse(record.previousValidUntil) > now) return undefined;
    return 'rotated';
  }
  return 'wrong secret';
}

/** The record without its hashes: what lists and admin answers show. */
export function describeKey(record: ApiKeyRecord): Omit<ApiKeyRecord, 'hash' | 'previousHash'> {
  const { hash: _hash, previousHash: _previous, ...visible } = record;
  return visible;
}
