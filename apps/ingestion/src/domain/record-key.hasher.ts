import { hash } from 'node:crypto';
import type { RecordKind } from './cleaning.types';

/** Length of the content hash in keys: 32 base64url characters = 192 bits. */
export const CONTENT_HASH_LENGTH = 32;

const NO_KEYS: ReadonlySet<string> = new Set();
/** Characters JSON.stringify would escape (and lone surrogates, which it writes as \u escapes). */
// eslint-disable-next-line no-control-regex -- control characters are what needs escaping
const NEEDS_ESCAPE_RE = /["\\\u0000-\u001f\u2028\u2029\ud800-\udfff]/;

/** Key of a record that carries its own client id (eventId, lineId, positionId). */
export function clientKey(kind: RecordKind, clientId: string): string {
  return `${kind}:id:${clientId}`;
}

/** Key of a record identified by its content. */
export function contentKey(kind: RecordKind, hash: string): string {
  return `${kind}:h:${hash}`;
}

/**
 * base64url SHA-256 of the canonical JSON of a cleaned payload, truncated to CONTENT_HASH_LENGTH.
 * `omit` names top-level members that are not content (e.g. receivedAt).
 */
export function contentHash(payload: object, omit: ReadonlySet<string> = NO_KEYS): string {
  // One-shot crypto.hash: a third of the cost of createHash().update().digest() for short inputs.
  return hash('sha256', canonicalJson(payload, omit), 'base64url').slice(0, CONTENT_HASH_LENGTH);
}

/**
 * JSON with object keys sorted (by UTF-16 code units, like Array.prototype.sort) at every depth and
 * undefined members left out, so equal content gives equal text. Output is byte-equal to
 * JSON.stringify of the same data with sorted keys; written by hand because it runs for every record.
 */
export function canonicalJson(value: unknown, omit: ReadonlySet<string> = NO_KEYS): string {
  if (typeof value === 'string') return quote(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return out + ']';
  }
  const obj = value as Record<string, unknown>;
  const keys = sortInPlace(Object.keys(obj));
  let out = '{';
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const v = obj[k];
    if (v === undefined || omit.has(k)) continue;
    out += (first ? '' : ',') + quote(k) + ':' + canonicalJson(v);
    first = false;
  }
  return out + '}';
}

function quote(s: string): string {
  return NEEDS_ESCAPE_RE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/** Insertion sort: faster than Array.prototype.sort for the dozen keys of an event. */
function sortInPlace(keys: string[]): string[] {
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i];
    let j = i - 1;
    while (j >= 0 && keys[j] > k) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}
