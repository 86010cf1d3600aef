import { SpanStatusCode } from '@opentelemetry/api';
import {
  ErrorCode,
  Events,
  NatsError,
  connect,
  createInbox,
  headers as natsHeaders,
  type Msg,
  type Subscription,
  type JetStreamClient as NatsJetStream,
  type JetStreamManager,
  type KV,
  type NatsConnection,
} from 'nats';
import { BatchConsumerRunner } from './batch-consumer.runner';
import { ConsumerRunner, headersToRecord, within, type RunnerDeps } from './consumer.runner';
import { errorMessage, headerSafe } from './dead-letter';
import { consoleLogger } from './messaging.logger';
import { DLQ_STREAM_DEFINITION, MessagingNames } from './messaging.naming';
import { MESSAGING_ATTRIBUTES, processLiveMessage, startBatchPublishSpan, startPublishSpan } from './message.tracing';
import type {
  BatchConsumeOptions,
  ConsumeOptions,
  ConsumerDefinition,
  ConsumerHandle,
  ConsumerLag,
  ConsumerObserver,
  MessagingLogger,
  ProvisionResult,
  PublishOptions,
  PublishResult,
  StreamDefinition,
} from './messaging.types';
import { ensureConsumer, ensureStream } from './stream.provisioner';

export interface JetStreamClientOptions {
  /** One URL or several (a cluster), e.g. `nats://127.0.0.1:4222`. */
  readonly url: string | readonly string[];
  /** Prefix of every subject and stream. Default `retail`. */
  readonly namespace?: string;
  /** Client name the server shows in its connection list, e.g. the service name. */
  readonly name: string;
  /** Streams provisioned at connect; the dead-letter stream is always added. */
  readonly streams?: readonly StreamDefinition[];
  readonly connectTimeoutMs?: number;
  /** Overrides for the dead-letter stream's limits. */
  readonly deadLetter?: Partial<Omit<StreamDefinition, 'name' | 'subjects'>>;
  readonly logger?: MessagingLogger;
}

/** A message for `publishMany`: the body is already JSON. */
export interface RawPublish {
  /** Subject without namespace, e.g. `events.v1.interaction`. */
  readonly subjectSuffix: string;
  readonly body: Uint8Array;
  readonly msgId: string;
  readonly headers?: Readonly<Record<string, string>>;
}

type AckCallback = (err: Error | undefined, ack?: PublishResult) => void;

interface AckInbox {
  prefix: string;
  pending: Map<string, AckCallback>;
  subscription: Subscription;
  next: number;
}

/** A PubAck (`{"stream":"X","seq":1,"duplicate":true}`), a JetStream error, or a no-responders status. */
function parsePubAck(msg: Msg): PublishResult | Error {
  if (msg.headers && msg.headers.code >= 300 && msg.data.length === 0) {
    return msg.headers.code === 503
      ? new Error(`No JetStream stream stores this subject (is it provisioned?)`)
      : new Error(`JetStream answered ${msg.headers.code} ${msg.headers.description}`);
  }
  try {
    const ack = JSON.parse(new TextDecoder().decode(msg.data)) as {
      stream?: string;
      seq?: number;
      duplicate?: boolean;
      error?: { description?: string; code?: number };
    };
    if (ack.error) return new Error(`JetStream refused the message: ${ack.error.description ?? ack.error.code}`);
    return { stream: ack.stream ?? '', seq: ack.seq ?? 0, duplicate: ack.duplicate === true };
  } catch {
    return new Error('JetStream answered with something that is not a PubAck');
  }
}

export const CONTENT_TYPE_JSON = 'application/json';
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_PUBLISH_TIMEOUT_MS = 5_000;
const DEFAULT_PING_TIMEOUT_MS = 2_000;
const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

/**
 * The one way services talk to JetStream: provisioning, publish with de-duplication and trace
 * context, durable consumers with ack-after-handler, retries, dead-lettering and graceful close.
 * Framework-free: Nest wraps it in MessagingModule; CLIs and benchmarks use `connect` directly.
 */
export class JetStreamClient {
  readonly names: MessagingNames;
  private readonly runners = new Set<ConsumerHandle>();
  private readonly observers: ConsumerObserver[] = [];
  /** Handed to every runner; forwards to whoever observes now, so observing late still sees every consumer. */
  private readonly fanOut: ConsumerObserver = {
    processed: (durable, outcome, count) => {
      for (const o of this.observers) o.processed(durable, outcome, count);
    },
    batchHandled: (durable, size, seconds, ok) => {
      for (const o of this.observers) o.batchHandled(durable, size, seconds, ok);
    },
  };
  private acks?: AckInbox;
  private closing?: Promise<void>;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: NatsJetStream,
    private readonly jsm: JetStreamManager,
    private readonly options: JetStreamClientOptions,
    private readonly logger: MessagingLogger,
  ) {
    this.names = new MessagingNames(options.namespace);
  }

  /** Connects, checks JetStream is enabled and provisions the configured streams (plus the DLQ). */
  static async connect(options: JetStreamClientOptions): Promise<JetStreamClient> {
    const logger = options.logger ?? consoleLogger();
    const names = new MessagingNames(options.namespace); // validate before connecting
    const nc = await connect({
      servers: typeof options.url === 'string' ? options.url : [...options.url],
      name: options.name,
      timeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      maxReconnectAttempts: -1,
      // Each request (every JetStream publish) would otherwise capture a stack trace up front: ~15% of
      // an ingesting service's CPU. Errors still say what failed; they lose the caller's async frames.
      noAsyncTraces: true,
    });
    try {
      const jsm = await nc.jetstreamManager({ timeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS });
      const client = new JetStreamClient(nc, nc.jetstream(), jsm, options, logger);
      client.watchStatus();
      await client.ensureStreams(options.streams ?? []);
      logger.info('connected to NATS JetStream', { server: nc.getServer(), namespace: names.namespace });
      return client;
    } catch (err) {
      await nc.close();
      throw err;
    }
  }

  get namespace(): string {
    return this.names.namespace;
  }

  /**
   * A JetStream Key-Value bucket of this namespace (`<namespace>_<name>`), created when missing: small state
   * every replica of every service must see, such as API keys.
   */
  keyValue(name: string, options: { history?: number } = {}): Promise<KV> {
    return this.js.views.kv(`${this.names.namespace}_${name}`, { history: options.history ?? 5 });
  }

  isClosed(): boolean {
    return this.nc.isClosed();
  }

  /** Creates missing streams, updates changed ones, leaves equal ones alone. Always includes the DLQ. */
  async ensureStreams(defs: readonly StreamDefinition[]): Promise<ProvisionResult[]> {
    const dlq: StreamDefinition = { ...DLQ_STREAM_DEFINITION, ...this.options.deadLetter };
    const all = [dlq, ...defs.filter((d) => d.name.toUpperCase() !== dlq.name)];
    const results: ProvisionResult[] = [];
    for (const def of all) results.push(await ensureStream(this.jsm, this.names, def, this.logger));
    return results;
  }

  /** Creates or updates the durable pull consumer (idempotent); `consume` calls it too. */
  ensureConsumer(def: ConsumerDefinition): Promise<ProvisionResult> {
    return ensureConsumer(this.jsm, this.names, def, this.logger);
  }

  /**
   * Publishes `payload` as JSON to `${namespace}.${subjectSuffix}`. A repeat of `msgId` within the
   * stream's duplicate window is not stored again and comes back with `duplicate: true`.
   */
  async publish<T>(subjectSuffix: string, payload: T, options: PublishOptions): Promise<PublishResult> {
    if (!options.msgId) throw new Error('publish needs a msgId (idempotency key)');
    const subject = this.names.subject(subjectSuffix);
    const body = new TextEncoder().encode(JSON.stringify(payload));
    const { span, traceHeaders } = startPublishSpan(subject, {
      [MESSAGING_ATTRIBUTES.messageId]: options.msgId,
      [MESSAGING_ATTRIBUTES.bodySize]: body.length,
    });
    try {
      const h: Record<string, string> = { ...options.headers, 'content-type': CONTENT_TYPE_JSON, ...traceHeaders };
      if (options.eventType) h['event-type'] = options.eventType;
      if (options.schemaVersion !== undefined) h['schema-version'] = String(options.schemaVersion);
      const ack = await this.publishRaw(subject, body, h, options.msgId, options.timeoutMs);
      span.setAttribute(MESSAGING_ATTRIBUTES.natsStream, ack.stream);
      span.setAttribute(MESSAGING_ATTRIBUTES.natsSequence, ack.seq);
      span.setAttribute('messaging.nats.duplicate', ack.duplicate);
      return ack;
    } catch (err) {
      span.recordException(err instanceof Error ? err : new Error(String(err)));
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(err) });
      throw err;
    } finally {
      span.end();
    }
  }

  /**
   * Publishes already-serialised JSON messages concurrently — pipelined, so a batch costs about one
   * round trip rather than one per message — and resolves when every PubAck is in. Rejects on the
   * first failure; what was stored before it is de-duplicated by msgId when the caller retries. The
   * batch gets one PRODUCER span (one per message would cost more than the publish), linked to the trace
   * context each message carries, so consumers join the trace of the request behind it.
   */
  async publishMany(messages: readonly RawPublish[], timeoutMs = DEFAULT_PUBLISH_TIMEOUT_MS): Promise<PublishResult[]> {
    if (messages.length === 0) return [];
    if (this.nc.isClosed() || this.nc.isDraining()) throw new Error('NATS connection is closed');
    const span = startBatchPublishSpan(
      `${this.names.namespace}.*`,
      messages.map((m) => m.headers),
      {},
    );
    try {
      return await this.publishPipelined(messages, timeoutMs);
    } catch (err) {
      span.recordException(err instanceof Error ? err : new Error(String(err)));
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(err) });
      throw err;
    } finally {
      span.end();
    }
  }

  /**
   * Plain publishes with a reply subject under one wildcard inbox, acknowledgements matched by token.
   * `js.publish` makes a request per message (own timer, own subscription entry, a NatsError allocated
   * on every success); for thousands of messages that costs more than the publishing itself.
   */
  private publishPipelined(messages: readonly RawPublish[], timeoutMs: number): Promise<PublishResult[]> {
    const inbox = this.ackInbox();
    const results = new Array<PublishResult>(messages.length);
    const tokens: string[] = [];
    return new Promise<PublishResult[]>((resolve, reject) => {
      let remaining = messages.length;
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        for (const t of tokens) inbox.pending.delete(t);
        reject(err);
      };
      const timer = setTimeout(
        () =>
          fail(
            new Error(
              `JetStream acknowledged ${messages.length - remaining} of ${messages.length} messages within ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
      messages.forEach((m, i) => {
        const token = (inbox.next++).toString(36);
        tokens.push(token);
        inbox.pending.set(token, (err, ack) => {
          if (err || !ack) return fail(err ?? new Error('empty acknowledgement'));
          results[i] = ack;
          if (--remaining === 0 && !settled) {
            settled = true;
            clearTimeout(timer);
            resolve(results);
          }
        });
        const h = natsHeaders();
        h.set('Nats-Msg-Id', m.msgId);
        h.set('content-type', CONTENT_TYPE_JSON);
        if (m.headers) for (const [key, value] of Object.entries(m.headers)) h.set(key, headerSafe(value, 4_096));
        try {
          this.nc.publish(this.names.subject(m.subjectSuffix), m.body, {
            reply: `${inbox.prefix}.${token}`,
            headers: h,
          });
        } catch (err) {
          fail(err instanceof Error ? err : new Error(String(err)));
        }
      });
    });
  }

  private ackInbox(): AckInbox {
    if (this.acks) return this.acks;
    const prefix = createInbox();
    const pending = new Map<string, AckCallback>();
    const subscription = this.nc.subscribe(`${prefix}.*`, {
      callback: (err, msg) => {
        if (err) return;
        const token = msg.subject.slice(prefix.length + 1);
        const settle = pending.get(token);
        if (!settle) return;
        pending.delete(token);
        const parsed = parsePubAck(msg);
        if (parsed instanceof Error) settle(parsed);
        else settle(undefined, parsed);
      },
    });
    this.acks = { prefix, pending, subscription, next: 0 };
    return this.acks;
  }

  /**
   * Starts a durable pull consumer (creating or updating it first). The handler's promise decides
   * the outcome: resolved -> ack; rejected -> nak after `backoffMs`, or the dead-letter stream after
   * `maxDeliver` attempts or a NonRetryableError.
   */
  async consume<T>(options: ConsumeOptions<T>): Promise<ConsumerHandle> {
    if (this.closing) throw new Error('JetStreamClient is closing');
    await this.ensureConsumer(options);
    const runner = new ConsumerRunner(this.runnerDeps(), options as ConsumeOptions<unknown>);
    await runner.start();
    return this.track(runner);
  }

  /**
   * Starts a durable pull consumer (creating or updating it first) that hands the handler batches
   * of messages, one call at a time, in stream order, and retries a failed batch in-process
   * instead of naking it. For a single writer applying the stream in transactions; see
   * BatchConsumerRunner for the exact semantics.
   */
  async consumeBatches(options: BatchConsumeOptions): Promise<ConsumerHandle> {
    if (this.closing) throw new Error('JetStreamClient is closing');
    await this.ensureConsumer(options);
    const runner = new BatchConsumerRunner(this.runnerDeps(), options);
    await runner.start();
    return this.track(runner);
  }

  private runnerDeps(): RunnerDeps {
    return {
      js: this.js,
      names: this.names,
      logger: this.logger,
      deadLetter: async (originalSubject, data, headers, msgId) => {
        await this.publishRaw(this.names.dlqSubject(originalSubject), data, headers, msgId);
      },
      observer: this.fanOut,
    };
  }

  /** Tells `observer` what every consumer of this client does from now on (metrics). */
  observeConsumers(observer: ConsumerObserver): void {
    this.observers.push(observer);
  }

  /**
   * How far behind each consumer this process runs is, from the server's consumer info (one request
   * per consumer: call it when scraped, not per message). A consumer whose info fails is left out.
   */
  async consumerLags(): Promise<ConsumerLag[]> {
    const seen = new Map<string, ConsumerHandle>();
    for (const r of this.runners) seen.set(`${r.stream}\u0000${r.durable}`, r);
    const lags = await Promise.all(
      [...seen.values()].map(async (r): Promise<ConsumerLag | undefined> => {
        try {
          const info = await this.jsm.consumers.info(r.stream, r.durable);
          return { stream: r.stream, durable: r.durable, pending: info.num_pending, ackPending: info.num_ack_pending };
        } catch {
          return undefined;
        }
      }),
    );
    return lags.filter((l): l is ConsumerLag => l !== undefined);
  }

  /** Registers a started runner so close() closes it. */
  private track(runner: ConsumerHandle): ConsumerHandle {
    this.runners.add(runner);
    void runner.done.then(() => this.runners.delete(runner));
    this.logger.info('consumer started', { stream: runner.stream, durable: runner.durable });
    return runner;
  }

  /**
   * Where a durable consumer stands: messages not yet delivered and delivered-but-unacked, and the
   * stream's last sequence. undefined when the durable does not exist.
   */
  async consumerProgress(
    stream: string,
    durable: string,
  ): Promise<{ pending: number; ackPending: number; ackFloor: number; lastSeq: number } | undefined> {
    const name = this.names.stream(stream);
    try {
      const info = await this.jsm.consumers.info(name, durable);
      const s = await this.jsm.streams.info(name);
      return {
        pending: info.num_pending,
        ackPending: info.num_ack_pending,
        ackFloor: info.ack_floor.stream_seq,
        lastSeq: s.state.last_seq,
      };
    } catch (err) {
      if (/consumer not found/i.test(errorMessage(err))) return undefined;
      throw err;
    }
  }

  /** Deletes a durable consumer (its position is lost: the next consume starts from the stream's start). */
  async deleteConsumer(stream: string, durable: string): Promise<boolean> {
    try {
      return await this.jsm.consumers.delete(this.names.stream(stream), durable);
    } catch (err) {
      if (/consumer not found/i.test(errorMessage(err))) return false;
      throw err;
    }
  }

  /**
   * A live, at-most-once subscription (core NATS, no durable, no acks) to a subject the streams also
   * store: every replica gets every message published from now on. For per-replica reactions such as
   * cache invalidation or "a new model was promoted"; anything that must not be missed needs a durable
   * consumer (or a periodic check) as well. Bodies that are not JSON are skipped.
   */
  subscribe(subjectSuffix: string, handler: (data: unknown, subjectSuffix: string) => void): { unsubscribe(): void } {
    const sub = this.nc.subscribe(this.names.subject(subjectSuffix), {
      callback: (err, msg) => {
        if (err) return;
        let data: unknown;
        try {
          data = JSON.parse(new TextDecoder().decode(msg.data));
        } catch {
          return;
        }
        try {
          processLiveMessage(
            msg.subject,
            headersToRecord(msg.headers),
            { [MESSAGING_ATTRIBUTES.bodySize]: msg.data.length },
            () => handler(data, this.names.suffixOf(msg.subject)),
          );
        } catch (e) {
          this.logger.warn('subscription handler failed', { subject: msg.subject, error: errorMessage(e) });
        }
      },
    });
    return { unsubscribe: () => sub.unsubscribe() };
  }

  /** Round-trip time in ms; rejects if the connection is closed or the server does not answer in time. */
  async ping(timeoutMs = DEFAULT_PING_TIMEOUT_MS): Promise<number> {
    if (this.nc.isClosed() || this.nc.isDraining()) throw new Error('NATS connection is closed');
    let rtt = -1;
    const answered = await within(
      this.nc.rtt().then((ms) => (rtt = ms)),
      timeoutMs,
    );
    if (!answered) throw new Error(`NATS did not answer a ping within ${timeoutMs} ms`);
    return rtt;
  }

  /** For readiness probes: connection open and a ping round trip within the timeout. */
  async isHealthy(timeoutMs = DEFAULT_PING_TIMEOUT_MS): Promise<boolean> {
    try {
      await this.ping(timeoutMs);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Stops pulling, waits for running handlers (at most `timeoutMs` in all), then drains the
   * connection so pending acks and publishes reach the server. Safe to call more than once.
   */
  close(timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS): Promise<void> {
    this.closing ??= this.shutdown(timeoutMs);
    return this.closing;
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await Promise.all([...this.runners].map((r) => r.close(timeoutMs)));
    if (this.nc.isClosed()) return;
    try {
      const drained = await within(this.nc.drain(), Math.max(deadline - Date.now(), 1_000));
      if (!drained) {
        this.logger.warn('NATS drain timed out, closing', { timeoutMs });
        await this.nc.close();
      }
    } catch (err) {
      this.logger.warn('NATS drain failed, closing', { error: errorMessage(err) });
      if (!this.nc.isClosed()) await this.nc.close();
    }
    this.logger.info('NATS connection closed');
  }

  private async publishRaw(
    subject: string,
    body: Uint8Array,
    headers: Record<string, string>,
    msgId: string,
    timeoutMs = DEFAULT_PUBLISH_TIMEOUT_MS,
  ): Promise<PublishResult> {
    const h = natsHeaders();
    for (const [key, value] of Object.entries(headers)) h.set(key, headerSafe(value, 4_096));
    try {
      const ack = await this.js.publish(subject, body, { msgID: msgId, headers: h, timeout: timeoutMs });
      return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
    } catch (err) {
      if (err instanceof NatsError && err.code === ErrorCode.NoResponders) {
        throw new Error(`No JetStream stream stores subject "${subject}" (is it provisioned?)`, { cause: err });
      }
      throw err;
    }
  }

  private watchStatus(): void {
    void (async () => {
      for await (const s of this.nc.status()) {
        if (s.type === Events.Disconnect) this.logger.warn('NATS disconnected', { server: s.data });
        else if (s.type === Events.Reconnect) this.logger.info('NATS reconnected', { server: s.data });
        else if (s.type === Events.Error) this.logger.error('NATS error', { error: String(s.data) });
      }
    })().catch(() => undefined);
  }
}
