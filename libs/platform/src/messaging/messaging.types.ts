/**
 * Plain data and function types of the messaging layer. Nothing here imports NATS, Nest or TypeORM,
 * so domain and application code can depend on these without pulling in a transport.
 */

/** Minimal structured logger; adapt pino or Nest's Logger to it. */
export interface MessagingLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * A JetStream stream declared as data. `name` and `subjects` are relative to the namespace:
 * `{ name: 'EVENTS', subjects: ['events.>'] }` becomes stream `RETAIL_EVENTS` on `retail.events.>`.
 */
export interface StreamDefinition {
  readonly name: string;
  readonly subjects: readonly string[];
  /** Window in which a repeated `Nats-Msg-Id` is dropped as a duplicate. */
  readonly duplicateWindowMs: number;
  /** 0 or absent: keep forever (subject to the other limits). */
  readonly maxAgeMs?: number;
  readonly maxBytes?: number;
  readonly maxMsgs?: number;
  readonly replicas?: number;
  readonly storage?: 'file' | 'memory';
  readonly retention?: 'limits' | 'interest' | 'workqueue';
  readonly description?: string;
}

export type ProvisionAction = 'created' | 'updated' | 'unchanged';

export interface ProvisionResult {
  /** Full name on the server, e.g. `RETAIL_EVENTS` or the durable consumer name. */
  readonly name: string;
  readonly action: ProvisionAction;
  /** Config fields that differed and were updated. */
  readonly changed: readonly string[];
}

export interface PublishOptions {
  /** Idempotency key: JetStream drops a repeat within the stream's duplicate window. */
  readonly msgId: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Written to the `event-type` header, e.g. `retail.interaction`. */
  readonly eventType?: string;
  /** Written to the `schema-version` header, e.g. `1`. */
  readonly schemaVersion?: string | number;
  /** How long to wait for the PubAck. */
  readonly timeoutMs?: number;
}

export interface PublishResult {
  readonly stream: string;
  readonly seq: number;
  /** True when the stream had already stored a message with this msgId (nothing new stored). */
  readonly duplicate: boolean;
}

/** What a handler receives; a plain object, so handlers need no NATS types. */
export interface ReceivedMessage<T = unknown> {
  /** Full subject, e.g. `retail.events.v1.interaction`. */
  readonly subject: string;
  /** Subject without the namespace, e.g. `events.v1.interaction`. */
  readonly subjectSuffix: string;
  readonly data: T;
  /** The producer's `Nats-Msg-Id`, else `<stream>:<seq>`; use it as the inbox key. */
  readonly msgId: string;
  readonly stream: string;
  readonly seq: number;
  /** 1 on the first delivery. */
  readonly deliveryCount: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly eventType?: string;
  readonly schemaVersion?: string;
  /** When the stream stored the message. */
  readonly publishedAt: Date;
  /** When this process received this delivery. */
  readonly receivedAt: Date;
}

export type MessageHandler<T = unknown> = (message: ReceivedMessage<T>) => Promise<void>;

export interface ConsumerDefinition {
  /** Stream name as declared (`EVENTS`), not the namespaced one. */
  readonly stream: string;
  /** Durable consumer name; also the inbox's consumer key by convention. */
  readonly durable: string;
  /** Subject suffixes to filter on; empty or absent: all of the stream. More than one needs nats-server 2.10. */
  readonly filterSubjects?: readonly string[];
  /** Handler attempts before the message goes to the dead-letter stream. Default 5. */
  readonly maxDeliver?: number;
  /** How long the server waits for an ack before redelivering. Default 30 s; keep it above the slowest handler. */
  readonly ackWaitMs?: number;
  /** Delay before retry n (last value repeats). Default [1000, 5000, 30000]. */
  readonly backoffMs?: readonly number[];
  /** Upper bound of un-acked messages the server hands this consumer across all instances. */
  readonly maxAckPending?: number;
}

export interface ConsumeOptions<T = unknown> extends ConsumerDefinition {
  /** Handlers running at once in this process. Default 1 (in stream order). */
  readonly concurrency?: number;
  /**
   * Messages pulled ahead of the handlers. Default = concurrency. A pulled message's ack wait is
   * already running and close() still handles it, so keep this small for slow handlers.
   */
  readonly prefetch?: number;
  readonly handler: MessageHandler<T>;
}

/**
 * What a batch handler returns. Resolving (with or without an outcome) commits the batch: every
 * message is acked except the rejected ones, which go to the dead-letter stream.
 */
export interface BatchOutcome {
  /** Messages (by stream seq) the handler refuses for good, e.g. a payload breaking its schema: dead-lettered. */
  readonly rejected?: readonly { readonly seq: number; readonly reason: string }[];
}

/** Gets up to `batchSize` messages in stream order; throwing retries the same batch (see BatchConsumeOptions). */
export type BatchHandler = (messages: readonly ReceivedMessage<unknown>[]) => Promise<BatchOutcome | void>;

/**
 * An ordered batch consumer for a single writer that applies the stream in large transactions.
 * One handler call at a time, in stream order; a failed batch is retried in-process (never naked,
 * which would let later messages overtake it) until it succeeds or the consumer is closed.
 */
export interface BatchConsumeOptions extends ConsumerDefinition {
  /** Most messages handed to one handler call. Default 500. */
  readonly batchSize?: number;
  /** Delay before retrying a failed batch, n-th retry (last value repeats). Default [200, 1000, 5000]. */
  readonly retryDelaysMs?: readonly number[];
  readonly handler: BatchHandler;
}

/** A running consumer. */
export interface ConsumerHandle {
  readonly stream: string;
  readonly durable: string;
  /** Stops pulling, hands back buffered messages, waits (bounded) for running handlers. */
  close(timeoutMs?: number): Promise<void>;
  /** Resolves when the consume loop has ended. */
  readonly done: Promise<void>;
  /** Handlers running right now. */
  inFlight(): number;
}

/** What became of messages a consumer handled: acked, handed back for a retry, or parked on the DLQ. */
export type ConsumeOutcome = 'ack' | 'retry' | 'dead_letter';

/**
 * Told what the consumers of a client do, e.g. to count it for Prometheus. Called on the consume path:
 * keep every method cheap, and never throw.
 */
export interface ConsumerObserver {
  /** `count` messages of the durable consumer reached `outcome`. */
  processed(durable: string, outcome: ConsumeOutcome, count: number): void;
  /** A batch consumer's handler call ended (`ok` false: it threw and the batch will be retried). */
  batchHandled(durable: string, size: number, seconds: number, ok: boolean): void;
}

/** Where a running durable consumer stands on the server. */
export interface ConsumerLag {
  /** Full stream name, e.g. `RETAIL_EVENTS`. */
  readonly stream: string;
  readonly durable: string;
  /** Messages the server holds for it that it has not been handed yet. */
  readonly pending: number;
  /** Messages handed to it, not yet acknowledged. */
  readonly ackPending: number;
}
