import { SpanKind, context, propagation, trace, type SpanContext } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { MESSAGING_ATTRIBUTES } from './message.tracing';
import type { ReceivedMessage } from './messaging.types';
import { MessagingTestBed, waitFor } from './testing/messaging.test-kit';

describe('message tracing', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let bed: MessagingTestBed;

  beforeAll(() => {
    trace.setGlobalTracerProvider(provider);
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  });

  afterAll(async () => {
    await bed?.cleanup();
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  it('continues the producer trace in the consumer span, as its child and with a link', async () => {
    bed = new MessagingTestBed('trace');
    const client = await bed.client();
    const subject = bed.names.subject('events.v1.interaction');

    let rootContext: SpanContext | undefined;
    await provider.getTracer('test').startActiveSpan('POST /events', async (root) => {
      rootContext = root.spanContext();
      await client.publish('events.v1.interaction', { userId: 'u1' }, { msgId: 'trace-1' });
      root.end();
    });

    let received: ReceivedMessage | undefined;
    let activeInHandler: SpanContext | undefined;
    await client.consume({
      stream: 'EVENTS',
      durable: 'traced',
      ackWaitMs: 5_000,
      backoffMs: [50],
      handler: async (m) => {
        received = m;
        activeInHandler = trace.getActiveSpan()?.spanContext();
      },
    });
    await waitFor(() => exporter.getFinishedSpans().some((s) => s.kind === SpanKind.CONSUMER), 10_000, 'consumer span');

    const spans = exporter.getFinishedSpans();
    const producer = spans.find((s) => s.kind === SpanKind.PRODUCER)!;
    const consumer = spans.find((s) => s.kind === SpanKind.CONSUMER)!;

    expect(producer.name).toBe(`${subject} publish`);
    expect(producer.spanContext().traceId).toBe(rootContext!.traceId);
    expect(producer.parentSpanContext?.spanId).toBe(rootContext!.spanId);
    expect(producer.attributes).toMatchObject({
      [MESSAGING_ATTRIBUTES.system]: 'nats',
      [MESSAGING_ATTRIBUTES.destination]: subject,
      [MESSAGING_ATTRIBUTES.messageId]: 'trace-1',
    });

    expect(received!.headers.traceparent).toBe(
      `00-${producer.spanContext().traceId}-${producer.spanContext().spanId}-01`,
    );
    expect(consumer.name).toBe(`${subject} process`);
    expect(consumer.spanContext().traceId).toBe(rootContext!.traceId);
    expect(consumer.parentSpanContext?.spanId).toBe(producer.spanContext().spanId);
    expect(consumer.links.map((l) => l.context.spanId)).toEqual([producer.spanContext().spanId]);
    expect(consumer.attributes).toMatchObject({
      [MESSAGING_ATTRIBUTES.consumerGroup]: 'traced',
      [MESSAGING_ATTRIBUTES.natsDeliveryCount]: 1,
    });
    // Work the handler does (database spans) lands under the consumer span.
    expect(activeInHandler?.spanId).toBe(consumer.spanContext().spanId);
  });
});
