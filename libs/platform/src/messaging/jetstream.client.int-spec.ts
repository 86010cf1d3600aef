import { DLQ_HEADERS, readDeadLetterHeaders } from './dead-letter';
import { JetStreamClient } from './jetstream.client';
import { NonRetryableError, StreamConfigConflictError } from './messaging.errors';
import type { ReceivedMessage } from './messaging.types';
import { EVENTS_STREAM, MessagingTestBed, sleep, waitFor } from './testing/messaging.test-kit';

const FAST = { ackWaitMs: 5_000, backoffMs: [50, 100] } as const;

describe(JetStreamClient.name, () => {
  let bed: MessagingTestBed;

  beforeEach(() => {
    bed = new MessagingTestBed('jsc');
  });

  afterEach(async () => {
    await bed.cleanup();
  });

  it('stores a message published twice with the same msgId once (JetStream de-duplication)', async () => {
    const client = await bed.client();
    const first = await client.publish('events.v1.interaction', { userId: 'u1', itemId: 'i1' }, { msgId: 'evt-1' });
    const second = await client.publish('events.v1.interaction', { userId: 'u1', itemId: 'i1' }, { msgId: 'evt-1' });

    expect(first).toMatchObject({ stream: bed.names.stream('EVENTS'), seq: 1, duplicate: false });
    expect(second.duplicate).toBe(true);
    expect(second.seq).toBe(1);
    expect(await bed.streamMessageCount('EVENTS')).toBe(1);

    const seen: ReceivedMessage[] = [];
    await client.consume({ stream: 'EVENTS', durable: 'dedup', ...FAST, handler: async (m) => void seen.push(m) });
    await waitFor(async () => (await bed.consumerInfo('EVENTS', 'dedup')).num_pending === 0 && seen.length > 0);
    await sleep(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      subject: `${bed.namespace}.events.v1.interaction`,
      subjectSuffix: 'events.v1.interaction',
      data: { userId: 'u1', itemId: 'i1' },
      msgId: 'evt-1',
      seq: 1,
      deliveryCount: 1,
    });
    expect(seen[0].headers['content-type']).toBe('application/json');
  });

  it('publishes a batch of pre-serialised messages pipelined, in order, de-duplicated by msgId', async () => {
    const client = await bed.client();
    const body = (n: number) => new TextEncoder().encode(JSON.stringify({ n }));
    const batch = Array.from({ length: 500 }, (_, n) => ({
      subjectSuffix: 'events.v1.interaction',
      body: body(n),
      msgId: `m-${n}`,
      headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    }));
    const acks = await client.publishMany(batch);
    expect(acks.map((a) => a.seq)).toEqual(batch.map((_, n) => n + 1));
    expect(acks.every((a) => !a.duplicate && a.stream === bed.names.stream('EVENTS'))).toBe(true);

    const again = await client.publishMany([batch[7], { ...batch[0], msgId: 'm-new' }]);
    expect(again.map((a) => [a.seq, a.duplicate])).toEqual([
      [8, true],
      [501, false],
    ]);
    expect(await bed.streamMessageCount('EVENTS')).toBe(501);
    const stored = await bed.storedMessage('EVENTS', 3);
    expect(stored.headersRecord).toMatchObject({
      'Nats-Msg-Id': 'm-2',
      'content-type': 'application/json',
      traceparent: batch[2].headers.traceparent,
    });

    await expect(
      client.publishMany([{ subjectSuffix: 'nowhere.v1.thing', body: body(1), msgId: 'x' }], 2_000),
    ).rejects.toThrow(/No JetStream stream stores/);
  });

  it('puts event type and schema version headers on the message', async () => {
    const client = await bed.client();
    await client.publish(
      'events.v1.sale',
      { sku: 'A' },
      { msgId: 's1', eventType: 'retail.sale', schemaVersion: 1, headers: { tenant: 't1' } },
    );
    const stored = await bed.storedMessage('EVENTS', 1);
    expect(stored.headersRecord).toMatchObject({
      'event-type': 'retail.sale',
      'schema-version': '1',
      tenant: 't1',
      'Nats-Msg-Id': 's1',
    });
  });

  it('redelivers after a failing handler and acks once the handler succeeds', async () => {
    const client = await bed.client();
    await client.publish('events.v1.interaction', { n: 1 }, { msgId: 'm1' });
    const attempts: number[] = [];
    let succeeded = 0;
    await client.consume({
      stream: 'EVENTS',
      durable: 'retry',
      maxDeliver: 3,
      ...FAST,
      handler: async (m) => {
        attempts.push(m.deliveryCount);
        if (m.deliveryCount === 1) throw new Error('database briefly unavailable');
        succeeded++;
      },
    });
    await waitFor(() => succeeded === 1, 10_000, 'successful retry');
    await waitFor(async () => (await bed.consumerInfo('EVENTS', 'retry')).num_ack_pending === 0);
    await sleep(300);
    expect(attempts).toEqual([1, 2]);
    expect(succeeded).toBe(1);
    expect(await bed.streamMessageCount('DLQ')).toBe(0);
    expect(bed.logger.entries.some((e) => e.level === 'warn' && e.message === 'handler failed, will retry')).toBe(true);
  });

  it('dead-letters a message after maxDeliver failed attempts and stops redelivering it', async () => {
    const client = await bed.client();
    const ack = await client.publish(
      'events.v1.interaction',
      { userId: 'u9' },
      { msgId: 'poison-1', eventType: 'interaction' },
    );
    let attempts = 0;
    await client.consume({
      stream: 'EVENTS',
      durable: 'always-fails',
      maxDeliver: 3,
      ...FAST,
      handler: async () => {
        attempts++;
        throw new Error('boom\nwith a second line');
      },
    });
    await waitFor(async () => (await bed.streamMessageCount('DLQ')) === 1, 10_000, 'DLQ message');
    await sleep(500); // longer than the whole backoff schedule: a further delivery would show up
    expect(attempts).toBe(3);
    expect(await bed.streamMessageCount('DLQ')).toBe(1);
    const info = await bed.consumerInfo('EVENTS', 'always-fails');
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_pending).toBe(0);

    const dlq = await bed.storedMessage('DLQ', 1);
    expect(dlq.subject).toBe(`${bed.namespace}.dlq.events.v1.interaction`);
    expect(JSON.parse(new TextDecoder().decode(dlq.data))).toEqual({ userId: 'u9' });
    const dl = readDeadLetterHeaders(dlq.headersRecord);
    expect(dl).toMatchObject({
      reason: 'Error: boom with a second line',
      originalSubject: `${bed.namespace}.events.v1.interaction`,
      originalStream: bed.names.stream('EVENTS'),
      originalSeq: ack.seq,
      originalMsgId: 'poison-1',
      consumer: 'always-fails',
      deliveryCount: 3,
    });
    expect(Number.isNaN(dl.failedAt.getTime())).toBe(false);
    expect(dlq.headersRecord['event-type']).toBe('interaction');
    expect(dlq.headersRecord[DLQ_HEADERS.reason]).toBeDefined();
    expect(bed.logger.entries.some((e) => e.level === 'error' && e.message === 'message dead-lettered')).toBe(true);
  });

  it('dead-letters at once on NonRetryableError and on a payload that is not JSON', async () => {
    const client = await bed.client();
    await client.publish('events.v1.interaction', { bad: true }, { msgId: 'bad-1' });
    let attempts = 0;
    await client.consume({
      stream: 'EVENTS',
      durable: 'strict',
      maxDeliver: 5,
      ...FAST,
      handler: async () => {
        attempts++;
        throw new NonRetryableError('unknown schema version');
      },
    });
    await waitFor(async () => (await bed.streamMessageCount('DLQ')) === 1, 10_000, 'DLQ message');
    await sleep(300);
    expect(attempts).toBe(1);
    expect(readDeadLetterHeaders((await bed.storedMessage('DLQ', 1)).headersRecord)).toMatchObject({
      reason: 'NonRetryableError: unknown schema version',
      deliveryCount: 1,
    });

    // A raw, non-JSON payload never reaches the handler.
    const { connect } = await import('nats');
    const raw = await connect({ servers: process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222' });
    await raw.jetstream().publish(bed.names.subject('events.v1.raw'), new TextEncoder().encode('not json{'));
    await raw.close();
    await waitFor(async () => (await bed.streamMessageCount('DLQ')) === 2, 10_000, 'second DLQ message');
    expect(attempts).toBe(1);
    expect((await bed.storedMessage('DLQ', 2)).headersRecord[DLQ_HEADERS.reason]).toMatch(/not valid JSON/);
  });

  it('dead-letters a message whose last attempt never finished (ack wait expired) without running the handler again', async () => {
    const client = await bed.client();
    await client.publish('events.v1.interaction', { n: 1 }, { msgId: 'stuck-1' });
    const attempts: number[] = [];
    await client.consume({
      stream: 'EVENTS',
      durable: 'stuck',
      maxDeliver: 1,
      ackWaitMs: 1_000,
      backoffMs: [50],
      concurrency: 2,
      handler: async (m) => {
        attempts.push(m.deliveryCount);
        await new Promise(() => undefined); // as if the process hung mid-handler
      },
    });
    await waitFor(async () => (await bed.streamMessageCount('DLQ')) === 1, 10_000, 'DLQ message');
    expect(attempts).toEqual([1]);
    expect(readDeadLetterHeaders((await bed.storedMessage('DLQ', 1)).headersRecord)).toMatchObject({
      reason: 'no outcome after 1 attempts (ack wait expired)',
      deliveryCount: 2,
    });
    await client.close(100);
  });

  it('provisions streams and consumers idempotently and updates changed settings', async () => {
    const client = await bed.client();
    const again = await client.ensureStreams([EVENTS_STREAM]);
    expect(again.map((r) => [r.name, r.action])).toEqual([
      [bed.names.stream('DLQ'), 'unchanged'],
      [bed.names.stream('EVENTS'), 'unchanged'],
    ]);
    // A second service connecting with the same declarations changes nothing either.
    await bed.client();

    const changed = await client.ensureStreams([
      { ...EVENTS_STREAM, maxAgeMs: 7_200_000, subjects: ['events.>', 'catalog.>'] },
    ]);
    expect(changed[1]).toMatchObject({ action: 'updated', changed: ['subjects', 'max_age'] });
    const info = await (await bed.jsm()).streams.info(bed.names.stream('EVENTS'));
    expect(info.config.subjects.sort()).toEqual([`${bed.namespace}.catalog.>`, `${bed.namespace}.events.>`]);

    await expect(client.ensureStreams([{ ...EVENTS_STREAM, storage: 'file' }])).rejects.toBeInstanceOf(
      StreamConfigConflictError,
    );

    const def = { stream: 'EVENTS', durable: 'fs', filterSubjects: ['events.>'], maxDeliver: 3, ackWaitMs: 5_000 };
    expect((await client.ensureConsumer(def)).action).toBe('created');
    expect((await client.ensureConsumer(def)).action).toBe('unchanged');
    expect(await client.ensureConsumer({ ...def, ackWaitMs: 10_000 })).toMatchObject({
      action: 'updated',
      changed: ['ack_wait'],
    });
    expect((await bed.consumerInfo('EVENTS', 'fs')).config.ack_wait).toBe(10_000 * 1e6);
  });

  it('rejects a publish to a subject no stream stores', async () => {
    const client = await bed.client();
    await expect(client.publish('nowhere.v1.x', {}, { msgId: 'x' })).rejects.toThrow(/No JetStream stream stores/);
  });

  it('close waits for an in-flight handler, which still acks, then reports unhealthy', async () => {
    const client = await bed.client();
    await client.publish('events.v1.interaction', { n: 1 }, { msgId: 'slow-1' });
    let started = false;
    let finished = false;
    await client.consume({
      stream: 'EVENTS',
      durable: 'slow',
      ...FAST,
      handler: async () => {
        started = true;
        await sleep(400);
        finished = true;
      },
    });
    await waitFor(() => started);
    expect(await client.isHealthy()).toBe(true);
    expect(await client.ping()).toBeGreaterThanOrEqual(0);

    await client.close();
    expect(finished).toBe(true);
    expect(client.isClosed()).toBe(true);
    expect(await client.isHealthy()).toBe(false);
    await expect(client.ping()).rejects.toThrow(/closed/);
    const info = await bed.consumerInfo('EVENTS', 'slow');
    expect(info.num_ack_pending).toBe(0);
    expect(info.ack_floor.stream_seq).toBe(1);
  });

  it('close gives up on a hung handler after its timeout and leaves the message for redelivery', async () => {
    const client = await bed.client();
    await client.publish('events.v1.interaction', { n: 1 }, { msgId: 'hung-1' });
    let started = false;
    await client.consume({
      stream: 'EVENTS',
      durable: 'hung',
      ...FAST,
      handler: async () => {
        started = true;
        await new Promise(() => undefined);
      },
    });
    await waitFor(() => started);
    const t0 = Date.now();
    await client.close(300);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(bed.logger.entries.some((e) => e.message === 'consumer close timed out with handlers still running')).toBe(
      true,
    );
    expect((await bed.consumerInfo('EVENTS', 'hung')).num_ack_pending).toBe(1);
  });

  it('delivers stored subjects live to every subscriber (two replicas both see it), skipping non-JSON', async () => {
    const client = await bed.client();
    const seen: [string, unknown][] = [];
    const a = client.subscribe('events.v1.*', (data, subject) => void seen.push([`a:${subject}`, data]));
    const b = client.subscribe('events.v1.interaction', (data, subject) => void seen.push([`b:${subject}`, data]));
    await client.ping();
    await client.publishMany([
      { subjectSuffix: 'events.v1.interaction', body: new TextEncoder().encode('not json'), msgId: 'x' },
    ]);
    await client.publish('events.v1.interaction', { itemId: 'i1' }, { msgId: 'p1' });
    await waitFor(async () => seen.length >= 2);
    await sleep(100);
    expect(seen.sort()).toEqual([
      ['a:events.v1.interaction', { itemId: 'i1' }],
      ['b:events.v1.interaction', { itemId: 'i1' }],
    ]);
    a.unsubscribe();
    b.unsubscribe();
  });
});
