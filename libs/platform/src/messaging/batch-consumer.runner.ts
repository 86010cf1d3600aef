import { SpanStatusCode, context } from '@opentelemetry/api';
import type { ConsumerMessages, JsMsg } from 'nats';
import {
  type RunnerDeps,
  deadLetterMessage,
  expiredReason,
  headersToRecord,
  messageIdOf,
  settle,
  toReceivedMessage,
  within,
} from './consumer.runner';
import { errorMessage } from './dead-letter';
import { MESSAGING_ATTRIBUTES, startBatchProcessSpan } from './message.tracing';
import type { BatchConsumeOptions, BatchOutcome, ConsumerHandle, ReceivedMessage } from './messaging.types';
import { backoffDelay } from './retry.policy';
import { DEFAULT_ACK_WAIT_MS, DEFAULT_BACKOFF_MS, DEFAULT_MAX_DELIVER } from './stream.provisioner';

export const DEFAULT_BATCH_SIZE = 500;
export const DEFAULT_BATCH_RETRY_DELAYS_MS: readonly number[] = [200, 1_000, 5_000];
const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;
const PULL_EXPIRES_MS = 5_000;

/** A delivery the handler may see, with what was read off it once. */
interface Admitted {
  readonly m: JsMsg;
  readonly message: ReceivedMessage<unknown>;
}

type Attempt = { ok: true; outcome: BatchOutcome | undefined } | { ok: false; error: unknown };

/**
 * Runs one durable pull consumer for a single writer that applies the stream in large
 * transactions (e.g. the feature store), strictly in stream order and acking only after commit:
 *
 * - Exactly one handler call in flight, messages in stream order. Pulled messages wait in a buffer;
 *   whenever the handler is idle and the buffer is not empty, everything buffered (up to
 *   `batchSize`) is handed over at once: no waiting to fill a batch, so a lone message is processed
 *   at once, and under load batches form while the previous one runs.
 * - Handler resolves: every message of the batch is acked, except the `rejected` ones, which are
 *   dead-lettered (same headers as ConsumerRunner) and termed.
 * - Handler throws: the same batch is retried in-process after `retryDelaysMs[n]` (the last value
 *   repeats), for as long as it takes (e.g. while the database is down). It is never naked: the
 *   server would then hand out later messages first. Meanwhile `working()` every ackWait/3 keeps
 *   the server from redelivering the batch and the buffered messages.
 * - A body that is not JSON, or a delivery past `maxDeliver` (the server's extra delivery after the
 *   last attempt never finished), is dead-lettered and never reaches the handler.
 * - Each handler call runs in a CONSUMER span `<stream> process batch` linked to the producers.
 * - close() stops pulling and waits (bounded) for a running handler, acking its batch if it
 *   succeeded; a failing batch is not retried again and, like buffered messages, stays unacked for
 *   the server to redeliver after the ack wait.
 *
 * The consumer's `maxAckPending` bounds what is held (running batch plus buffer); keep it at two
 * batches or more, or the next batch cannot form while one runs.
 */
export class BatchConsumerRunner implements ConsumerHandle {
  readonly stream: string;
  readonly durable: string;
  done: Promise<void> = Promise.resolve();

  private messages?: ConsumerMessages;
  private readonly buffer: JsMsg[] = [];
  private running: readonly JsMsg[] = [];
  /** Highest stream seq taken in; anything at or below it is a redelivery. */
  private lastSeq = 0;
  private pulling = true;
  private stopping = false;
  private waiters: (() => void)[] = [];
  private wakeStopped: () => void = () => undefined;
  private readonly stopped = new Promise<void>((resolve) => (this.wakeStopped = resolve));
  private keepAlive?: NodeJS.Timeout;
  private readonly batchSize: number;
  private readonly retryDelaysMs: readonly number[];
  private readonly maxDeliver: number;
  private readonly ackWaitMs: number;

  constructor(
    private readonly deps: RunnerDeps,
    private readonly options: BatchConsumeOptions,
  ) {
    this.stream = deps.names.stream(options.stream);
    this.durable = options.durable;
    this.batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
    this.retryDelaysMs = options.retryDelaysMs?.length ? options.retryDelaysMs : DEFAULT_BATCH_RETRY_DELAYS_MS;
    this.maxDeliver = options.maxDeliver ?? DEFAULT_MAX_DELIVER;
    this.ackWaitMs = options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
  }

  async start(): Promise<void> {
    const consumer = await this.deps.js.consumers.get(this.stream, this.durable);
    // See ConsumerRunner for the short expiry.
    this.messages = await consumer.consume({ max_messages: 2 * this.batchSize, expires: PULL_EXPIRES_MS });
    this.keepAlive = setInterval(() => this.touchHeld(), Math.max(100, Math.floor(this.ackWaitMs / 3)));
    this.done = Promise.all([this.pull(this.messages), this.process()]).then(() => clearInterval(this.keepAlive));
  }

  /** Messages of the batch the handler is working on. */
  inFlight(): number {
    return this.running.length;
  }

  async close(timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      void this.messages?.close();
      this.wakeStopped();
      this.wake();
    }
    if (!(await within(this.done, timeoutMs))) {
      // Stop vouching for a handler we no longer wait for: the server may redeliver its batch.
      clearInterval(this.keepAlive);
      this.deps.logger.warn('consumer close timed out with a batch still running', {
        stream: this.stream,
        durable: this.durable,
        inFlight: this.running.length,
        timeoutMs,
      });
    }
  }

  /**
   * Moves every pulled message into the buffer at once, so that working() reaches it. nats.js pulls
   * again as messages arrive, not as they are iterated, so holding back here would not bound
   * anything; what bounds the buffer is the consumer's max_ack_pending (server default 1,000).
   */
  private async pull(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const m of messages) {
        if (this.stopping) break;
        this.take(m);
      }
    } catch (err) {
      this.deps.logger.error('consume loop stopped', {
        stream: this.stream,
        durable: this.durable,
        error: errorMessage(err),
      });
    } finally {
      this.pulling = false;
      this.wake();
    }
  }

  private take(m: JsMsg): void {
    const seq = m.info.streamSequence;
    if (seq > this.lastSeq) {
      this.lastSeq = seq;
      this.buffer.push(m);
    } else {
      // A redelivery. Of a message we hold (its ack wait ran out after all): keep the newer
      // delivery if it still waits, else the running batch's ack settles it (acks go by stream
      // seq). Of one we let go (e.g. naked after a failed dead-letter publish): put it back in order.
      const i = this.buffer.findIndex((b) => b.info.streamSequence >= seq);
      if (i >= 0 && this.buffer[i].info.streamSequence === seq) this.buffer[i] = m;
      else if (this.running.some((r) => r.info.streamSequence === seq)) return;
      else this.buffer.splice(i >= 0 ? i : this.buffer.length, 0, m);
    }
    this.wake();
  }

  private async process(): Promise<void> {
    for (;;) {
      while (this.buffer.length === 0 && this.pulling && !this.stopping) await this.changed();
      if (this.stopping || this.buffer.length === 0) return;
      const batch = this.buffer.splice(0, this.batchSize);
      this.running = batch;
      try {
        await this.runBatch(batch);
      } catch (err) {
        // Only a bug gets here; the batch stays unacked and comes back after the ack wait.
        this.deps.logger.error('batch processing failed', {
          stream: this.stream,
          durable: this.durable,
          error: errorMessage(err),
        });
      } finally {
        this.running = [];
      }
    }
  }

  private async runBatch(batch: readonly JsMsg[]): Promise<void> {
    const admitted = await this.admit(batch);
    if (admitted.length === 0) return;
    const messages = admitted.map((a) => a.message);
    for (let retry = 0; ; retry++) {
      const attempt = await this.attempt(messages);
      if (attempt.ok) {
        await this.commit(admitted, attempt.outcome);
        return;
      }
      const delayMs = backoffDelay(this.retryDelaysMs, retry + 1);
      const log = {
        stream: this.stream,
        durable: this.durable,
        firstSeq: messages[0].seq,
        lastSeq: messages[messages.length - 1].seq,
        size: messages.length,
        retry: retry + 1,
        error: errorMessage(attempt.error),
      };
      if (this.stopping) {
        this.deps.logger.warn('batch handler failed while closing; leaving the batch for redelivery', log);
        return;
      }
      this.deps.logger.warn('batch handler failed, will retry', { ...log, delayMs });
      await this.pause(delayMs);
      if (this.stopping) return;
    }
  }

  /** Dead-letters what the handler must never see; returns the rest, in order. */
  private async admit(batch: readonly JsMsg[]): Promise<Admitted[]> {
    const receivedAt = new Date();
    const admitted: Admitted[] = [];
    for (const m of batch) {
      const headers = headersToRecord(m.headers);
      const msgId = messageIdOf(m, headers);
      if (m.info.deliveryCount > this.maxDeliver) {
        await this.deadLetter(m, headers, msgId, expiredReason(this.maxDeliver));
        continue;
      }
      try {
        admitted.push({ m, message: toReceivedMessage(m, this.deps.names, headers, msgId, receivedAt) });
      } catch (err) {
        await this.deadLetter(m, headers, msgId, errorMessage(err));
      }
    }
    return admitted;
  }

  private async attempt(messages: readonly ReceivedMessage<unknown>[]): Promise<Attempt> {
    const started = performance.now();
    const attempt = await this.attemptOnce(messages);
    const observer = this.deps.observer;
    if (observer) {
      observer.batchHandled(this.durable, messages.length, (performance.now() - started) / 1000, attempt.ok);
      if (!attempt.ok) observer.processed(this.durable, 'retry', messages.length);
    }
    return attempt;
  }

  private async attemptOnce(messages: readonly ReceivedMessage<unknown>[]): Promise<Attempt> {
    const headers = messages.map((m) => m.headers);
    const { span, ctx } = startBatchProcessSpan(this.stream, headers, {
      [MESSAGING_ATTRIBUTES.consumerGroup]: this.durable,
      [MESSAGING_ATTRIBUTES.subscription]: this.durable,
      [MESSAGING_ATTRIBUTES.natsStream]: this.stream,
    });
    try {
      const outcome = await context.with(ctx, () => this.options.handler(messages));
      return { ok: true, outcome: outcome as BatchOutcome | undefined };
    } catch (error) {
      span.recordException(error instanceof Error ? error : new Error(String(error)));
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
      return { ok: false, error };
    } finally {
      span.end();
    }
  }

  private async commit(admitted: readonly Admitted[], outcome: BatchOutcome | undefined): Promise<void> {
    const rejected = new Map((outcome?.rejected ?? []).map((r) => [r.seq, r.reason] as const));
    const toDeadLetter: { a: Admitted; reason: string }[] = [];
    for (const a of admitted) {
      const reason = rejected.get(a.message.seq);
      rejected.delete(a.message.seq);
      if (reason === undefined) settle(() => a.m.ack(), this.deps.logger);
      else toDeadLetter.push({ a, reason });
    }
    this.deps.observer?.processed(this.durable, 'ack', admitted.length - toDeadLetter.length);
    if (rejected.size > 0) {
      this.deps.logger.warn('batch handler rejected seqs that were not in its batch', {
        stream: this.stream,
        durable: this.durable,
        seqs: [...rejected.keys()],
      });
    }
    for (const { a, reason } of toDeadLetter) {
      await this.deadLetter(a.m, { ...a.message.headers }, a.message.msgId, reason);
    }
  }

  private deadLetter(m: JsMsg, headers: Record<string, string>, msgId: string, reason: string): Promise<void> {
    return deadLetterMessage(this.deps, m, {
      headers,
      msgId,
      reason,
      durable: this.durable,
      backoffMs: this.options.backoffMs ?? DEFAULT_BACKOFF_MS,
    });
  }

  /** Resets the ack wait of everything held, so a long or retried batch is not redelivered meanwhile. */
  private touchHeld(): void {
    for (const m of this.running) settle(() => m.working(), this.deps.logger);
    for (const m of this.buffer) settle(() => m.working(), this.deps.logger);
  }

  /** Resolves on the next buffer change or close. */
  private changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Sleeps `ms`, or less if the consumer is closed meanwhile. */
  private async pause(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))), this.stopped]);
    clearTimeout(timer);
  }
}
