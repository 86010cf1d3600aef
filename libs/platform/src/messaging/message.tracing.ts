import {
  ROOT_CONTEXT,
  SpanKind,
  context,
  propagation,
  trace,
  type Attributes,
  type Context,
  type Span,
  type SpanContext,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';

const TRACER_NAME = '@app/platform/messaging';

/**
 * Attribute names from the OpenTelemetry messaging semantic conventions (incubating, so spelled
 * out here rather than imported from a moving package).
 */
export const MESSAGING_ATTRIBUTES = {
  system: 'messaging.system',
  destination: 'messaging.destination.name',
  operationName: 'messaging.operation.name',
  operationType: 'messaging.operation.type',
  messageId: 'messaging.message.id',
  bodySize: 'messaging.message.body.size',
  consumerGroup: 'messaging.consumer.group.name',
  subscription: 'messaging.destination.subscription.name',
  natsStream: 'messaging.nats.stream',
  natsSequence: 'messaging.nats.sequence',
  natsDeliveryCount: 'messaging.nats.delivery_count',
  batchMessageCount: 'messaging.batch.message_count',
} as const;

const recordSetter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

const recordGetter: TextMapGetter<Readonly<Record<string, string>>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    if (carrier[key] !== undefined) return carrier[key];
    // NATS keeps header case as sent; W3C propagators ask in lower case.
    const match = Object.keys(carrier).find((k) => k.toLowerCase() === key);
    return match === undefined ? undefined : carrier[match];
  },
};

function tracer() {
  return trace.getTracer(TRACER_NAME);
}

/**
 * Starts the PRODUCER span for a publish and returns it with the headers (`traceparent`,
 * `tracestate`) carrying its context. Without a registered propagator no headers are added.
 */
export function startPublishSpan(
  subject: string,
  attributes: Attributes,
): { span: Span; ctx: Context; traceHeaders: Record<string, string> } {
  const span = tracer().startSpan(`${subject} publish`, {
    kind: SpanKind.PRODUCER,
    attributes: {
      [MESSAGING_ATTRIBUTES.system]: 'nats',
      [MESSAGING_ATTRIBUTES.destination]: subject,
      [MESSAGING_ATTRIBUTES.operationName]: 'publish',
      [MESSAGING_ATTRIBUTES.operationType]: 'send',
      ...attributes,
    },
  });
  const ctx = trace.setSpan(context.active(), span);
  const traceHeaders: Record<string, string> = {};
  propagation.inject(ctx, traceHeaders, recordSetter);
  return { span, ctx, traceHeaders };
}

/**
 * Starts the CONSUMER span for processing one message. Per the messaging conventions it links to
 * the producer's context; it is also its child, so one storefront request stays one trace.
 */
export function startProcessSpan(
  subject: string,
  headers: Readonly<Record<string, string>>,
  attributes: Attributes,
): { span: Span; ctx: Context } {
  const producerCtx = propagation.extract(ROOT_CONTEXT, headers, recordGetter);
  const producerSpan = trace.getSpanContext(producerCtx);
  const span = tracer().startSpan(
    `${subject} process`,
    {
      kind: SpanKind.CONSUMER,
      links: producerSpan ? [{ context: producerSpan }] : [],
      attributes: {
        [MESSAGING_ATTRIBUTES.system]: 'nats',
        [MESSAGING_ATTRIBUTES.destination]: subject,
        [MESSAGING_ATTRIBUTES.operationName]: 'process',
        [MESSAGING_ATTRIBUTES.operationType]: 'process',
        ...attributes,
      },
    },
    producerCtx,
  );
  return { span, ctx: trace.setSpan(producerCtx, span) };
}

/** Span links one batch span carries at most; OpenTelemetry SDKs drop links past 128 by default. */
export const MAX_BATCH_SPAN_LINKS = 128;

/**
 * Starts the CONSUMER span for processing a batch. Its messages come from many traces, so per the
 * messaging conventions it starts a trace of its own and links to each producer's context (the
 * first MAX_BATCH_SPAN_LINKS of them).
 */
export function startBatchProcessSpan(
  name: string,
  headersOfMessages: readonly Readonly<Record<string, string>>[],
  attributes: Attributes,
): { span: Span; ctx: Context } {
  const links: { context: SpanContext }[] = [];
  for (const headers of headersOfMessages) {
    if (links.length >= MAX_BATCH_SPAN_LINKS) break;
    const producerSpan = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, headers, recordGetter));
    if (producerSpan) links.push({ context: producerSpan });
  }
  const span = tracer().startSpan(
    `${name} process batch`,
    {
      kind: SpanKind.CONSUMER,
      links,
      attributes: {
        [MESSAGING_ATTRIBUTES.system]: 'nats',
        [MESSAGING_ATTRIBUTES.destination]: name,
        [MESSAGING_ATTRIBUTES.operationName]: 'process',
        [MESSAGING_ATTRIBUTES.operationType]: 'process',
        [MESSAGING_ATTRIBUTES.batchMessageCount]: headersOfMessages.length,
        ...attributes,
      },
    },
    ROOT_CONTEXT,
  );
  return { span, ctx: trace.setSpan(ROOT_CONTEXT, span) };
}
