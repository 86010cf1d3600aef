import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  NatsError,
  RetentionPolicy,
  StorageType,
  nanos,
  type ConsumerConfig,
  type ConsumerInfo,
  type JetStreamManager,
  type StreamConfig,
} from 'nats';
import { StreamConfigConflictError } from './messaging.errors';
import type { MessagingNames } from './messaging.naming';
import type { ConsumerDefinition, MessagingLogger, ProvisionResult, StreamDefinition } from './messaging.types';

/** JetStream API error codes (nats-server/server/errors.json). */
const STREAM_NOT_FOUND = 10059;
const CONSUMER_NOT_FOUND = 10014;

export const DEFAULT_MAX_DELIVER = 5;
export const DEFAULT_ACK_WAIT_MS = 30_000;
export const DEFAULT_BACKOFF_MS: readonly number[] = [1_000, 5_000, 30_000];

type StreamSettings = Pick<
  StreamConfig,
  | 'name'
  | 'subjects'
  | 'duplicate_window'
  | 'max_age'
  | 'max_bytes'
  | 'max_msgs'
  | 'num_replicas'
  | 'storage'
  | 'retention'
  | 'discard'
  | 'description'
>;

/** Fields JetStream refuses to change on an existing stream. */
const IMMUTABLE_STREAM_FIELDS: readonly (keyof StreamSettings)[] = ['storage', 'retention'];

export function toStreamConfig(names: MessagingNames, def: StreamDefinition): StreamSettings {
  if (def.subjects.length === 0) throw new Error(`Stream ${def.name} declares no subjects`);
  if (def.maxAgeMs && def.duplicateWindowMs > def.maxAgeMs) {
    throw new Error(`Stream ${def.name}: duplicateWindowMs must not exceed maxAgeMs`);
  }
  return {
    name: names.stream(def.name),
    subjects: def.subjects.map((s) => names.subject(s)),
    duplicate_window: nanos(def.duplicateWindowMs),
    max_age: nanos(def.maxAgeMs ?? 0),
    max_bytes: def.maxBytes ?? -1,
    max_msgs: def.maxMsgs ?? -1,
    num_replicas: def.replicas ?? 1,
    storage: def.storage === 'memory' ? StorageType.Memory : StorageType.File,
    retention:
      def.retention === 'interest'
        ? RetentionPolicy.Interest
        : def.retention === 'workqueue'
          ? RetentionPolicy.Workqueue
          : RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    description: def.description ?? '',
  };
}

/** Names of the fields of `desired` that differ from `current` (subjects compared as sets). */
export function diffConfig<T extends object>(current: Partial<T>, desired: Partial<T>): string[] {
  const changed: string[] = [];
  for (const key of Object.keys(desired) as (keyof T & string)[]) {
    const want = desired[key];
    if (want === undefined) continue;
    const have = current[key];
    if (Array.isArray(want)) {
      const a = [...(Array.isArray(have) ? (have as unknown[]) : [])].map(String).sort();
      const b = [...want].map(String).sort();
      if (a.length !== b.length || a.some((v, i) => v !== b[i])) changed.push(key);
    } else if (key === 'description') {
      if ((have ?? '') !== want) changed.push(key);
    } else if (have !== want) {
      changed.push(key);
    }
  }
  return changed;
}

export async function ensureStream(
  jsm: JetStreamManager,
  names: MessagingNames,
  def: StreamDefinition,
  logger: MessagingLogger,
): Promise<ProvisionResult> {
  const desired = toStreamConfig(names, def);
  const current = await streamConfig(jsm, desired.name);
  if (!current) {
    try {
      await jsm.streams.add(desired);
      logger.info('stream created', { stream: desired.name, subjects: desired.subjects });
      return { name: desired.name, action: 'created', changed: [] };
    } catch (err) {
      // Another replica created it between our lookup and our add: fall through to compare.
      if (!(await streamConfig(jsm, desired.name))) throw err;
      return ensureStream(jsm, names, def, logger);
    }
  }
  const changed = diffConfig<StreamSettings>(current, desired);
  const conflicts = changed.filter((f) => (IMMUTABLE_STREAM_FIELDS as string[]).includes(f));
  if (conflicts.length > 0) {
    throw new StreamConfigConflictError(
      `Stream ${desired.name}: ${conflicts.join(', ')} cannot change in place; migrate the stream by hand`,
    );
  }
  if (changed.length === 0) return { name: desired.name, action: 'unchanged', changed };
  const { name, storage: _storage, retention: _retention, ...updatable } = desired;
  await jsm.streams.update(name, updatable);
  logger.info('stream updated', { stream: name, changed });
  return { name, action: 'updated', changed };
}

async function streamConfig(jsm: JetStreamManager, name: string): Promise<StreamConfig | null> {
  try {
    return (await jsm.streams.info(name)).config;
  } catch (err) {
    if (apiErrorCode(err) === STREAM_NOT_FOUND) return null;
    throw err;
  }
}

type ConsumerSettings = Pick<
  ConsumerConfig,
  | 'durable_name'
  | 'ack_policy'
  | 'ack_wait'
  | 'max_deliver'
  | 'deliver_policy'
  | 'filter_subject'
  | 'filter_subjects'
  | 'max_ack_pending'
  | 'description'
>;

/**
 * Server-side max_deliver is one more than the handler attempts: if the process dies during the
 * last attempt, the extra delivery lets us dead-letter the message instead of the server silently
 * giving up on it.
 */
export function serverMaxDeliver(maxDeliver: number): number {
  return maxDeliver + 1;
}

export function toConsumerConfig(names: MessagingNames, def: ConsumerDefinition): ConsumerSettings {
  const maxDeliver = def.maxDeliver ?? DEFAULT_MAX_DELIVER;
  if (!Number.isInteger(maxDeliver) || maxDeliver < 1) throw new Error(`maxDeliver must be a positive integer`);
  const filters = (def.filterSubjects ?? []).map((s) => names.subject(s));
  return {
    durable_name: def.durable,
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(def.ackWaitMs ?? DEFAULT_ACK_WAIT_MS),
    max_deliver: serverMaxDeliver(maxDeliver),
    deliver_policy: DeliverPolicy.All,
    // One filter uses the 2.9-compatible field; several need filter_subjects (server 2.10+).
    filter_subject: filters.length === 1 ? filters[0] : undefined,
    filter_subjects: filters.length > 1 ? filters : undefined,
    max_ack_pending: def.maxAckPending,
    description: `durable ${def.durable}`,
  };
}

export async function ensureConsumer(
  jsm: JetStreamManager,
  names: MessagingNames,
  def: ConsumerDefinition,
  logger: MessagingLogger,
): Promise<ProvisionResult> {
  const stream = names.stream(def.stream);
  const desired = toConsumerConfig(names, def);
  const current = await consumerInfo(jsm, stream, def.durable);
  if (!current) {
    try {
      await jsm.consumers.add(stream, desired);
      logger.info('consumer created', { stream, durable: def.durable });
      return { name: def.durable, action: 'created', changed: [] };
    } catch (err) {
      if (!(await consumerInfo(jsm, stream, def.durable))) throw err;
      return ensureConsumer(jsm, names, def, logger);
    }
  }
  // deliver_policy cannot change; the durable name is the key.
  const { deliver_policy: _deliver, durable_name: _durable, filter_subject, filter_subjects, ...updatable } = desired;
  const changed = diffConfig<ConsumerSettings>(current.config, updatable);
  const haveFilters = consumerFilters(current.config);
  const wantFilters = consumerFilters({ filter_subject, filter_subjects });
  if (diffConfig({ f: haveFilters }, { f: wantFilters }).length > 0) {
    if (wantFilters.length === 0) {
      throw new StreamConfigConflictError(
        `Consumer ${def.durable} on ${stream}: removing its filter needs a new durable (or delete this one)`,
      );
    }
    changed.push('filter_subjects');
    Object.assign(updatable, { filter_subject, filter_subjects });
  }
  if (changed.length === 0) return { name: def.durable, action: 'unchanged', changed };
  await jsm.consumers.update(stream, def.durable, updatable);
  logger.info('consumer updated', { stream, durable: def.durable, changed });
  return { name: def.durable, action: 'updated', changed };
}

function consumerFilters(c: Pick<ConsumerConfig, 'filter_subject' | 'filter_subjects'>): string[] {
  if (c.filter_subjects && c.filter_subjects.length > 0) return [...c.filter_subjects];
  return c.filter_subject ? [c.filter_subject] : [];
}

async function consumerInfo(jsm: JetStreamManager, stream: string, durable: string): Promise<ConsumerInfo | null> {
  try {
    return await jsm.consumers.info(stream, durable);
  } catch (err) {
    if (apiErrorCode(err) === CONSUMER_NOT_FOUND) return null;
    throw err;
  }
}

function apiErrorCode(err: unknown): number | undefined {
  return err instanceof NatsError ? err.api_error?.err_code : undefined;
}
