import { SpanStatusCode, context } from '@opentelemetry/api';
import type { ConsumerMessages, JetStreamClient as NatsJetStream, JsMsg, MsgHdrs } from 'nats';
import { deadLetterHeaders, errorMessage } from './dead-letter';
import { NonRetryableError, isNonRetryable } from './messaging.errors';
import type { MessagingNames } from './messaging.naming';
import { MESSAGING_ATTRIBUTES, startProcessSpan } from './message.tracing';
import type {
  ConsumeOptions,
  ConsumerHandle,
  ConsumerObserver,
  MessagingLogger,
  ReceivedMessage,
} from './messaging.types';
import { backoffDelay, decideOnFailure } from './retry.policy';
import { DEFAULT_BACKOFF_MS, DEFAULT_MAX_DELIVER } from './stream.provisioner';

export const MSG_ID_HEADER = 'Nats-Msg-Id';
const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;
const PULL_EXPIRES_MS = 5_000;

export interface DeadLetterPublisher {
  (originalSubject: string, data: Uint8Array, headers: Record<string, string>, msgId: string): Promise<void>;
}

export interface RunnerDeps {
  readonly js: NatsJetStream;
  readonly names: MessagingNames;
  readonly logger: MessagingLogger;
  readonly deadLetter: DeadLetterPublisher;
  /** Told each outcome, for metrics. */
  readonly observer?: ConsumerObserver;
}

/**
 * Runs one durable pull consumer: pulls, runs the handler with at most `concurrency` in flight,
 * acks only after the handler resolved, naks with backoff on failure, dead-letters when retries are
 * exhausted or the error is not retryable.
 */
export class ConsumerRunner implements ConsumerHandle {
  readonly stream: string;
  readonly durable: string;
  done: Promise<void> = Promise.resolve();

  private messages?: ConsumerMessages;
  private readonly inflight = new Set<Promise<void>>();
  private stopping = false;
  private abandon = false;
  private wakeAbandoned: () => void = () => undefined;
  private readonly abandoned = new Promise<void>((resolve) => (this.wakeAbandoned = resolve));
  private readonly maxDeliver: number;
  private readonly backoffMs: readonly number[];
  private readonly concurrency: number;

  constructor(
    private readonly deps: RunnerDeps,
    private readonly options: ConsumeOptions<unknown>,
  ) {
    this.stream = deps.names.stream(options.stream);
    this.durable = options.durable;
    this.maxDeliver = options.maxDeliver ?? DEFAULT_MAX_DELIVER;
    this.backoffMs = options.backoffMs ?? DEFAULT_BACKOFF_MS;
    this.concurrency = Math.max(1, options.concurrency ?? 1);
  }

  async start(): Promise<void> {
    const consumer = await this.deps.js.consumers.get(this.stream, this.durable);
    this.messages = await consumer.consume({
      // Pull no more than we can start soon: a buffered message's ack wait is already running.
      max_messages: Math.max(1, this.options.prefetch ?? this.concurrency),
      // The server keeps a pull request until it expires, even after this process has gone, and may
      // deliver into it (those messages then wait out the ack wait). A shorter life than the 30 s
      // default narrows that window after a restart for one small request every few seconds.
      expires: PULL_EXPIRES_MS,
    });
    this.done = this.loop(this.messages);
  }

  inFlight(): number {
    return this.inflight.size;
  }

  async close(timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      // Stop pulling. Messages already pulled are still handled (like nats.go's Drain): handing them
      // back with nak would let the server redeliver them into this consumer's pull request, which
      // it keeps until it notices the lost interest, so they would sit out a whole ack wait.
      void this.messages?.close();
    }
    const settled = (async () => {
      await this.done;
      await Promise.allSettled([...this.inflight]);
    })();
    const finished = await within(settled, timeoutMs);
    if (!finished) {
      this.abandon = true;
      this.wakeAbandoned();
      this.deps.logger.warn('consumer close timed out with handlers still running', {
        stream: this.stream,
        durable: this.durable,
        inFlight: this.inflight.size,
        timeoutMs,
      });
    }
  }

  private async loop(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const m of messages) {
        while (this.inflight.size >= this.concurrency && !this.abandon) {
          await Promise.race([...this.inflight, this.abandoned]);
        }
        if (this.abandon) {
          // Close timed out: don't start work we cannot ack; the server redelivers it.
          settle(() => m.nak(), this.deps.logger);
          continue;
        }
        const running: Promise<void> = this.process(m).finally(() => this.inflight.delete(running));
        this.inflight.add(running);
      }
    } catch (err) {
      this.deps.logger.error('consume loop stopped', {
        stream: this.stream,
        durable: this.durable,
        error: errorMessage(err),
      });
    }
  }

  private async process(m: JsMsg): Promise<void> {
    const receivedAt = new Date();
    const info = m.info;
    const headers = headersToRecord(m.headers);
    const msgId = messageIdOf(m, headers);
    const log = { subject: m.subject, stream: info.stream, seq: info.streamSequence, durable: this.durable, msgId };
    const { span, ctx } = startProcessSpan(m.subject, headers, {
      [MESSAGING_ATTRIBUTES.messageId]: msgId,
      [MESSAGING_ATTRIBUTES.bodySize]: m.data.length,
      [MESSAGING_ATTRIBUTES.consumerGroup]: this.durable,
      [MESSAGING_ATTRIBUTES.subscription]: this.durable,
      [MESSAGING_ATTRIBUTES.natsStream]: info.stream,
      [MESSAGING_ATTRIBUTES.natsSequence]: info.streamSequence,
      [MESSAGING_ATTRIBUTES.natsDeliveryCount]: info.deliveryCount,
    });
    try {
      if (info.deliveryCount > this.maxDeliver) {
        await this.deadLetter(m, headers, msgId, expiredReason(this.maxDeliver));
        return;
      }
      const message = toReceivedMessage(m, this.deps.names, headers, msgId, receivedAt);
      await context.with(ctx, () => this.options.handler(message));
      settle(() => m.ack(), this.deps.logger);
      this.deps.observer?.processed(this.durable, 'ack', 1);
    } catch (err) {
      span.recordException(err instanceof Error ? err : new Error(String(err)));
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(err) });
      const decision = decideOnFailure({
        deliveryCount: info.deliveryCount,
        maxDeliver: this.maxDeliver,
        backoffMs: this.backoffMs,
        nonRetryable: isNonRetryable(err),
      });
      if (decision.action === 'retry') {
        this.deps.logger.warn('handler failed, will retry', {
          ...log,
          deliveryCount: info.deliveryCount,
          delayMs: decision.delayMs,
          error: errorMessage(err),
        });
        settle(() => m.nak(decision.delayMs), this.deps.logger);
        this.deps.observer?.processed(this.durable, 'retry', 1);
      } else {
        await this.deadLetter(m, headers, msgId, errorMessage(err));
      }
    } finally {
      span.end();
    }
  }

  private deadLetter(m: JsMsg, headers: Record<string, string>, msgId: string, reason: string): Promise<void> {
    return deadLetterMessage(this.deps, m, {
      headers,
      msgId,
      reason,
      durable: this.durable,
      backoffMs: this.backoffMs,
    });
  }
}

/** `Nats-Msg-Id` if the producer set one, else `<stream>:<seq>`. */
export function messageIdOf(m: JsMsg, headers: Readonly<Record<string, string>>): string {
  return headers[MSG_ID_HEADER] || `${m.info.stream}:${m.info.streamSequence}`;
}

/** Dead-letter reason for the server's extra delivery: the last attempt never acked (crash or ack wait expired). */
export function expiredReason(maxDeliver: number): string {
  return `no outcome after ${maxDeliver} attempts (ack wait expired)`;
}

/** The handler's view of a delivery. Throws NonRetryableError if the body is not JSON. */
export function toReceivedMessage(
  m: JsMsg,
  names: MessagingNames,
  headers: Record<string, string>,
  msgId: string,
  receivedAt: Date,
): ReceivedMessage<unknown> {
  const info = m.info;
  return {
    subject: m.subject,
    subjectSuffix: names.suffixOf(m.subject),
    data: parseJson(m.data),
    msgId,
    stream: info.stream,
    seq: info.streamSequence,
    deliveryCount: info.deliveryCount,
    headers,
    eventType: headers['event-type'] || undefined,
    schemaVersion: headers['schema-version'] || undefined,
    publishedAt: new Date(Math.floor(info.timestampNanos / 1e6)),
    receivedAt,
  };
}

export interface DeadLetterContext {
  readonly headers: Record<string, string>;
  readonly msgId: string;
  readonly reason: string;
  readonly durable: string;
  /** Nak delay if the dead-letter publish itself fails (the server redelivers, we try again). */
  readonly backoffMs: readonly number[];
}

/** Copies `m` to the dead-letter stream with the DLQ headers, then terms it; naks it if the copy failed. */
export async function deadLetterMessage(
  deps: Pick<RunnerDeps, 'logger' | 'deadLetter' | 'observer'>,
  m: JsMsg,
  { headers, msgId, reason, durable, backoffMs }: DeadLetterContext,
): Promise<void> {
  const info = m.info;
  const log = { subject: m.subject, stream: info.stream, seq: info.streamSequence, durable, msgId };
  // Keep the producer's headers (trace context, event type) but none of JetStream's own.
  const kept = Object.fromEntries(Object.entries(headers).filter(([k]) => !k.toLowerCase().startsWith('nats-')));
  const dlqHeaders = {
    ...kept,
    ...deadLetterHeaders({
      reason,
      originalSubject: m.subject,
      originalStream: info.stream,
      originalSeq: info.streamSequence,
      originalMsgId: msgId,
      consumer: durable,
      deliveryCount: info.deliveryCount,
      failedAt: new Date(),
    }),
  };
  try {
    await deps.deadLetter(m.subject, m.data, dlqHeaders, `dlq:${durable}:${info.stream}:${info.streamSequence}`);
  } catch (err) {
    deps.logger.error('dead-letter publish failed, will retry', { ...log, error: errorMessage(err) });
    settle(() => m.nak(backoffDelay(backoffMs, info.deliveryCount)), deps.logger);
    deps.observer?.processed(durable, 'retry', 1);
    return;
  }
  settle(() => m.term(), deps.logger);
  deps.observer?.processed(durable, 'dead_letter', 1);
  deps.logger.error('message dead-lettered', { ...log, deliveryCount: info.deliveryCount, reason });
}

function parseJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(data));
  } catch (err) {
    throw new NonRetryableError('payload is not valid JSON', { cause: err });
  }
}

export function headersToRecord(h: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  for (const key of h.keys()) out[key] = h.get(key);
  return out;
}

/** Ack/nak/term write to the socket; on a closing connection that throws, and redelivery covers it. */
export function settle(fn: () => void, logger: MessagingLogger): void {
  try {
    fn();
  } catch (err) {
    logger.warn('could not settle message; it will be redelivered', { error: errorMessage(err) });
  }
}

/** True if `p` settled within `ms`. */
export async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
