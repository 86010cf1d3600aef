import { SpanKind, context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { MESSAGING_ATTRIBUTES } from './message.tracing';
import { MessagingTestBed, waitFor } from './testing/messaging.test-kit';

describe('batch consumer tracing', () => {
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

  it('runs each handler call in one CONSUMER span linked to every producer', async () => {
    bed = new MessagingTestBed('batchtrace');
    const client = await bed.client();
    for (let n = 0; n < 3; n++) {
      await client.publish('events.v1.interaction', { n }, { msgId: `t-${n}` });
    }
    const producers = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.PRODUCER);
    expect(producers).toHaveLength(3);

    const activeInHandler: string[] = [];
    await client.consumeBatches({
      stream: 'EVENTS',
      durable: 'traced-batch',
      ackWaitMs: 5_000,
      handler: async () => {
        activeInHandler.push(trace.getActiveSpan()?.spanContext().spanId ?? 'none');
      },
    });
    const consumerSpans = () => exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CONSUMER);
    const counted = () =>
      consumerSpans().reduce((sum, s) => sum + Number(s.attributes[MESSAGING_ATTRIBUTES.batchMessageCount]), 0);
    await waitFor(() => counted() === 3, 10_000, 'batch spans covering all messages');

    const consumers = consumerSpans();
    expect(consumers.map((s) => s.name)).toEqual(consumers.map(() => `${bed.names.stream('EVENTS')} process batch`));
    expect(consumers.flatMap((s) => s.links.map((l) => l.context.spanId)).sort()).toEqual(
      producers.map((p) => p.spanContext().spanId).sort(),
    );
    // A batch mixes many traces, so it starts its own instead of joining one of them.
    expect(consumers.every((s) => s.parentSpanContext === undefined)).toBe(true);
    expect(activeInHandler).toEqual(consumers.map((s) => s.spanContext().spanId));
  });
});
