import type { KV, KvEntry, QueuedIterator } from 'nats';
import { NotFoundError, ValidationError } from '../errors/domain-error';
import type { JetStreamClient } from '../messaging/jetstream.client';
import {
  API_KEY_PREFIX,
  ApiKeyRecord,
  describeKey,
  hashSecret,
  invalidScope,
  newApiKey,
  parseApiKey,
  Principal,
  refusal,
} from './api-key';

/** The bucket (per messaging namespace) holding every API key's record. */
export const API_KEY_BUCKET = 'api_keys';
const DEFAULT_ROTATION_GRACE_HOURS = 24;
const MAX_NAME = 100;

export type Authentication = { principal: Principal } | { refused: string };

/** A key's record as lists and admin answers show it (no hashes). */
export type ApiKeyView = ReturnType<typeof describeKey>;

/**
 * API keys in a JetStream Key-Value bucket that every replica of every service watches: a key created,
 * rotated or revoked anywhere is known everywhere within moments, and checking a request is a map
 * lookup and one SHA-256, with no call to anything. Changes use the bucket's revisions, so two admins
 * rotating one key at once cannot lose an update.
 */
export class ApiKeyRegistry {
  private readonly records = new Map<string, ApiKeyRecord>();
  private watcher?: QueuedIterator<KvEntry>;
  private watching?: Promise<void>;

  private constructor(
    private readonly kv: KV,
    private readonly now: () => number,
  ) {}

  /** Opens (creating if needed) the namespace's bucket and resolves once every existing key is loaded. */
  static async open(bus: JetStreamClient, now: () => number = Date.now): Promise<ApiKeyRegistry> {
    const registry = new ApiKeyRegistry(await bus.keyValue(API_KEY_BUCKET), now);
    await registry.watch();
    return registry;
  }

  /** The request's principal, or why its key is refused (unknown, revoked, expired, rotated, wrong secret). */
  authenticate(token: string): Authentication {
    const parsed = parseApiKey(token);
    if (!parsed) return { refused: 'not an API key' };
    const record = this.records.get(parsed.keyId);
    if (!record) return { refused: 'unknown key' };
    const why = refusal(record, parsed.secret, this.now());
    if (why) return { refused: why };
    return { principal: { kind: 'api_key', id: record.keyId, name: record.name, scopes: new Set(record.scopes) } };
  }

  /** A new key; its token is in this answer only. */
  async create(input: {
    name: string;
    scopes: readonly string[];
    createdBy: string;
    expiresInDays?: number;
  }): Promise<{ key: ApiKeyView; token: string }> {
    const violations: { field: string; message: string }[] = [];
    const name = input.name?.trim() ?? '';
    if (!name || name.length > MAX_NAME) violations.push({ field: 'name', message: `1 to ${MAX_NAME} characters` });
    if (!Array.isArray(input.scopes) || input.scopes.length === 0)
      violations.push({ field: 'scopes', message: 'at least one scope, such as recommendations:read' });
    else {
      const bad = invalidScope(input.scopes);
      if (bad !== undefined) violations.push({ field: 'scopes', message: `"${bad}" is not of the form area:action` });
    }
    const days = input.expiresInDays;
    if (days !== undefined && !(Number.isFinite(days) && days > 0 && days <= 3650))
      violations.push({ field: 'expires_in_days', message: 'from 0 to 3650 days' });
    if (!input.createdBy?.trim()) violations.push({ field: 'created_by', message: 'is required' });
    if (violations.length) throw new ValidationError(violations);

    const { keyId, secret, token } = newApiKey();
    const now = this.now();
    const record: ApiKeyRecord = {
      keyId,
      name,
      scopes: [...new Set(input.scopes)].sort(),
      hash: hashSecret(secret),
      createdAt: new Date(now).toISOString(),
      createdBy: input.createdBy.trim(),
      ...(days !== undefined ? { expiresAt: new Date(now + days * 86_400_000).toISOString() } : {}),
    };
    await this.kv.create(keyId, encode(record));
    this.records.set(keyId, record);
    return { key: describeKey(record), token };
  }

  /** Every key, newest first, without secrets or hashes (read from the bucket, not this replica's copy). */
  async list(): Promise<ApiKeyView[]> {
    const out: ApiKeyRecord[] = [];
    for await (const key of await this.kv.keys()) {
      const e = await this.kv.get(key);
      if (e && e.operation === 'PUT') out.push(e.json<ApiKeyRecord>());
    }
    return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map(describeKey);
  }

  /** A new secret for a key; the old one keeps working for `graceHours` (0: stops at once). */
  async rotate(keyId: string, graceHours = DEFAULT_ROTATION_GRACE_HOURS): Promise<{ key: ApiKeyView; token: string }> {
    if (!(Number.isFinite(graceHours) && graceHours >= 0 && graceHours <= 24 * 30))
      throw new ValidationError([{ field: 'grace_hours', message: 'from 0 to 720 hours' }]);
    const { secret } = newApiKey();
    const now = this.now();
    const record = await this.change(keyId, (r) => {
      if (r.revokedAt) throw new ValidationError([{ field: 'key_id', message: 'the key is revoked' }]);
      return {
        ...r,
        hash: hashSecret(secret),
        previousHash: r.hash,
        previousValidUntil: new Date(now + graceHours * 3_600_000).toISOString(),
        rotatedAt: new Date(now).toISOString(),
      };
    });
    return { key: describeKey(record), token: `${API_KEY_PREFIX}${keyId}_${secret}` };
  }

  /** Refuses the key from now on, everywhere; the record stays for the audit trail. */
  async revoke(keyId: string): Promise<ApiKeyView> {
    const now = new Date(this.now()).toISOString();
    return describeKey(await this.change(keyId, (r) => (r.revokedAt ? r : { ...r, revokedAt: now })));
  }

  async close(): Promise<void> {
    this.watcher?.stop();
    await this.watching;
  }

  private async change(keyId: string, update: (r: ApiKeyRecord) => ApiKeyRecord): Promise<ApiKeyRecord> {
    if (!/^[a-z0-9]{12}$/.test(keyId)) throw new NotFoundError('API_KEY.NOT_FOUND', `no API key ${keyId}`);
    for (let attempt = 0; ; attempt++) {
      const e = await this.kv.get(keyId);
      if (!e || e.operation !== 'PUT') throw new NotFoundError('API_KEY.NOT_FOUND', `no API key ${keyId}`);
      const next = update(e.json<ApiKeyRecord>());
      try {
        await this.kv.update(keyId, encode(next), e.revision);
        this.records.set(keyId, next);
        return next;
      } catch (err) {
        // Someone else changed the key meanwhile: read it again and reapply.
        if (attempt >= 5) throw err;
      }
    }
  }

  private async watch(): Promise<void> {
    let loaded!: () => void;
    const initialised = new Promise<void>((resolve) => (loaded = resolve));
    this.watcher = await this.kv.watch({ initializedFn: () => loaded() });
    this.watching = (async () => {
      for await (const e of this.watcher!) {
        if (e.operation === 'PUT') this.records.set(e.key, e.json<ApiKeyRecord>());
        else this.records.delete(e.key);
      }
    })();
    await initialised;
  }
}

function encode(record: ApiKeyRecord): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(record));
}
