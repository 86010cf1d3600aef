import { connect } from 'nats';
import { TEST_NATS_URL } from '@app/testing';
import { BatchConsumerRunner } from './batch-consumer.runner';
import { readDeadLetterHeaders } from './dead-letter';
import type { JetStreamClient } from './jetstream.client';
import type { ReceivedMessage } from './messaging.types';
import { MessagingTestBed, sleep, waitFor } from './testing/messaging.test-kit';

const SUBJECT = 'events.v1.interaction';
const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function publishNumbered(client: JetStreamClient, count: number, prefix = 'm'): Promise<void> {
  await client.publishMany(
    Array.from({ length: count }, (_, n) => ({ subjectSuffix: SUBJECT, body: json({ n }), msgId: `${prefix}-${n}` })),
    20_000,
  );
}

describe(BatchConsumerRunner.name, () => {
  let bed: MessagingTestBed;

  beforeEach(() => {
    bed = new MessagingTestBed('batch');
  });

  afterEach(async () => {
    await bed.cleanup();
  });

  async function settled(durable: string, timeoutMs = 10_000): Promise<void> {
    await waitFor(
      async () => {
        const info = await bed.consumerInfo('EVENTS', durable);
        return info.num_ack_pending === 0 && info.num_pending === 0;
      },
      timeoutMs,
      `${durable} to ack everything`,
    );
  }

  it('delivers every message once, in stream order, one batch at a time, batches up to batchSize', async () => {
    const client = await bed.client();
    const total = 2_000;
    await publishNumbered(client, total);
    const batches: ReceivedMessage[][] = [];
    let running = 0;
    let mostRunning = 0;
    await client.consumeBatches({
      stream: 'EVENTS',
      durable: 'ordered',
      ackWaitMs: 10_000,
      batchSize: 100,
      handler: async (messages) => {
        mostRunning = Math.max(mostRunning, ++running);
        batches.push([...messages]);
        await sleep(20);
        running--;
      },
    });
    await waitFor(() => batches.flat().length >= total, 30_000, 'all messages');
    await settled('ordered');
    await sleep(300); // a duplicate or redelivery would show up
    const all = batches.flat();
    expect(all.map((m) => m.seq)).toEqual(range(1, total));
    expect(all.map((m) => (m.data as { n: number }).n)).toEqual(range(0, total - 1));
    expect(all.every((m) => m.deliveryCount === 1)).toBe(true);
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(100);
    expect(batches.some((b) => b.length > 1)).toBe(true);
    expect(mostRunning).toBe(1);
  });

  it('retries a failed batch as it was, in-process, without naking, losing or reordering anything', async () => {
    const client = await bed.client();
    await publishNumbered(client, 10);
    const calls: number[][] = [];
    await client.consumeBatches({
      stream: 'EVENTS',
      durable: 'retry',
      ackWaitMs: 10_000,
      retryDelaysMs: [50, 100],
      handler: async (messages) => {
        calls.push(messages.map((m) => m.seq));
        if (messages.some((m) => m.deliveryCount !== 1)) throw new Error('unexpected redelivery');
        if (calls.length <= 2) throw new Error('database unavailable');
      },
    });
    await waitFor(() => calls.slice(2).flat().length >= 10, 10_000, 'all messages after the retries');
    await settled('retry');
    await sleep(300);
    expect(calls[1]).toEqual(calls[0]);
    expect(calls[2]).toEqual(calls[0]);
    expect(calls.slice(2).flat()).toEqual(range(1, 10));
    expect(await bed.streamMessageCount('DLQ')).toBe(0);
    expect((await bed.consumerInfo('EVENTS', 'retry')).num_redelivered).toBe(0);
    const retries = bed.logger.entries.filter((e) => e.message === 'batch handler failed, will retry');
    expect(retries.map((e) => e.fields?.delayMs)).toEqual([50, 100]);
  });

  it('dead-letters rejected messages with their reason, acks the rest, keeps non-JSON from the handler', async () => {
    const client = await bed.client();
    await publishNumbered(client, 3, 'a'); // seqs 1-3
    const raw = await connect({ servers: TEST_NATS_URL });
    await raw.jetstream().publish(bed.names.subject(SUBJECT), new TextEncoder().encode('not json{')); // seq 4
    await raw.close();
    await publishNumbered(client, 2, 'b'); // seqs 5-6
    const seen: number[] = [];
    await client.consumeBatches({
      stream: 'EVENTS',
      durable: 'rejecting',
      ackWaitMs: 10_000,
      handler: async (messages) => {
        seen.push(...messages.map((m) => m.seq));
        return {
          rejected: messages
            .filter((m) => m.seq === 2 || m.seq === 5)
            .map((m) => ({ seq: m.seq, reason: `schema violation in ${m.msgId}` })),
        };
      },
    });
    await waitFor(async () => (await bed.streamMessageCount('DLQ')) === 3, 10_000, 'three DLQ messages');
    await settled('rejecting');
    await sleep(300);
    expect(seen).toEqual([1, 2, 3, 5, 6]);
    expect(await bed.streamMessageCount('DLQ')).toBe(3);
    const dead = await Promise.all(
      [1, 2, 3].map(async (seq) => readDeadLetterHeaders((await bed.storedMessage('DLQ', seq)).headersRecord)),
    );
    const bySeq = new Map(dead.map((d) => [d.originalSeq, d] as const));
    expect([...bySeq.keys()].sort()).toEqual([2, 4, 5]);
    expect(bySeq.get(2)).toMatchObject({
      reason: 'schema violation in a-1',
      consumer: 'rejecting',
      originalMsgId: 'a-1',
    });
    expect(bySeq.get(5)).toMatchObject({ reason: 'schema violation in b-0', consumer: 'rejecting' });
    expect(bySeq.get(4)?.reason).toMatch(/not valid JSON/);
  });

  it('keeps a batch that runs past the ack wait from being redelivered (working())', async () => {
    const client = await bed.client();
    await publishNumbered(client, 3);
    const calls: { seq: number; deliveryCount: number }[][] = [];
    await client.consumeBatches({
      stream: 'EVENTS',
      durable: 'slow',
      ackWaitMs: 1_500,
      handler: async (messages) => {
        calls.push(messages.map((m) => ({ seq: m.seq, deliveryCount: m.deliveryCount })));
        if (calls.length === 1) await sleep(4_000);
      },
    });
    await waitFor(() => calls.flat().length >= 3, 15_000, 'all messages');
    await settled('slow');
    await sleep(2_000); // longer than the ack wait: a redelivery would show up
    expect(calls.flat()).toEqual(range(1, 3).map((seq) => ({ seq, deliveryCount: 1 })));
    expect((await bed.consumerInfo('EVENTS', 'slow')).num_redelivered).toBe(0);
  });

  it('on close stops retrying and acks nothing; the same durable gets the messages again', async () => {
    const client = await bed.client();
    await publishNumbered(client, 5);
    const failing: number[][] = [];
    const handle = await client.consumeBatches({
      stream: 'EVENTS',
      durable: 'closing',
      ackWaitMs: 1_500,
      retryDelaysMs: [100],
      handler: async (messages) => {
        failing.push(messages.map((m) => m.seq));
        throw new Error('database unavailable');
      },
    });
    await waitFor(() => failing.length >= 3, 10_000, 'repeated failures');
    const t0 = Date.now();
    await handle.close(5_000);
    expect(Date.now() - t0).toBeLessThan(1_000);
    const callsAtClose = failing.length;
    await sleep(300);
    expect(failing.length).toBe(callsAtClose);
    const afterClose = await bed.consumerInfo('EVENTS', 'closing');
    expect(afterClose.ack_floor.stream_seq).toBe(0);
    expect(afterClose.num_ack_pending + afterClose.num_pending).toBe(5);
    expect(await bed.streamMessageCount('DLQ')).toBe(0);

    const again: ReceivedMessage[] = [];
    const other = await bed.client();
    await other.consumeBatches({
      stream: 'EVENTS',
      durable: 'closing',
      ackWaitMs: 1_500,
      handler: async (messages) => void again.push(...messages),
    });
    await waitFor(() => again.length >= 5, 20_000, 'redelivery to the new consumer');
    await settled('closing');
    // Ordering after a redelivery is the server's business; what matters is that nothing was lost.
    expect(again.map((m) => m.seq).sort((a, b) => a - b)).toEqual(range(1, 5));
    expect(again.every((m) => m.deliveryCount > 1)).toBe(true);
  });
});
