import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
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
 * `parent` defaults to the active context; a relay publishing what a request stored earlier passes
 * the request's context (`producerContext(storedHeaders)`), so the publish joins that request's trace.
 */
export function startPublishSpan(
  subject: string,
  attributes: Attributes,
  parent: Context = context.active(),
): { span: Span; ctx: Context; traceHeaders: Record<string, string> } {
  const span = tracer().startSpan(
    `${subject} publish`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        [MESSAGING_ATTRIBUTES.system]: 'nats',
        [MESSAGING_ATTRIBUTES.destination]: subject,
        [MESSAGING_ATTRIBUTES.operationName]: 'publish',
        [MESSAGING_ATTRIBUTES.operationType]: 'send',
        ...attributes,
      },
    },
    parent,
  );
  const ctx = trace.setSpan(parent, span);
  const traceHeaders: Record<string, string> = {};
  propagation.inject(ctx, traceHeaders, recordSetter);
  return { span, ctx, traceHeaders };
}

/** The context carried by message (or stored outbox) headers; ROOT_CONTEXT when they carry none. */
export function producerContext(headers: Readonly<Record<string, string>>): Context {
  return propagation.extract(ROOT_CONTEXT, headers, recordGetter);
}

/** Span links one batch span carries at most; OpenTelemetry SDKs drop links past 128 by default. */
export const MAX_BATCH_SPAN_LINKS = 128;

/** Links to the contexts the messages carry (the first MAX_BATCH_SPAN_LINKS of them). */
function producerLinks(headersOfMessages: readonly (Readonly<Record<string, string>> | undefined)[]): Link[] {
  const links: Link[] = [];
  for (const headers of headersOfMessages) {
    if (links.length >= MAX_BATCH_SPAN_LINKS) break;
    const producerSpan = headers && trace.getSpanContext(producerContext(headers));
    if (producerSpan) links.push({ context: producerSpan });
  }
  return links;
}

/**
 * Starts the PRODUCER span of one pipelined publish of many messages. The messages come from many
 * requests, each carrying its own context, so the span links to them rather than joining one trace.
 */
export function startBatchPublishSpan(
  name: string,
  headersOfMessages: readonly (Readonly<Record<string, string>> | undefined)[],
  attributes: Attributes,
): Span {
  return tracer().startSpan(`${name} publish batch`, {
    kind: SpanKind.PRODUCER,
    links: producerLinks(headersOfMessages),
    attributes: {
      [MESSAGING_ATTRIBUTES.system]: 'nats',
      [MESSAGING_ATTRIBUTES.destination]: name,
      [MESSAGING_ATTRIBUTES.operationName]: 'publish',
      [MESSAGING_ATTRIBUTES.operationType]: 'send',
      [MESSAGING_ATTRIBUTES.batchMessageCount]: headersOfMessages.length,
      ...attributes,
    },
  });
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
  const producerCtx = producerContext(headers);
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

/**
 * Runs `handle` for a message heard on a live (core NATS, at-most-once) subscription inside its CONSUMER
 * span, a child of the producer's (and linked to it). A message that carries no trace context belongs to
 * no request; it gets no span, or every replica would add a lone one-span trace per message of a bulk import.
 */
export function processLiveMessage<T>(
  subject: string,
  headers: Readonly<Record<string, string>>,
  attributes: Attributes,
  handle: () => T,
): T {
  if (!trace.getSpanContext(producerContext(headers))) return handle();
  const { span, ctx } = startProcessSpan(subject, headers, attributes);
  try {
    return context.with(ctx, handle);
  } catch (err) {
    span.recordException(err instanceof Error ? err : new Error(String(err)));
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    throw err;
  } finally {
    span.end();
  }
}

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
  const span = tracer().startSpan(
    `${name} process batch`,
    {
      kind: SpanKind.CONSUMER,
      links: producerLinks(headersOfMessages),
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
