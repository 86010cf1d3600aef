import { isSpanContextValid, trace } from '@opentelemetry/api';

/** The trace id of the active span, or undefined when there is none. */
export function currentTraceId(): string | undefined {
  const ctx = trace.getActiveSpan()?.spanContext();
  return ctx && isSpanContextValid(ctx) ? ctx.traceId : undefined;
}

export function currentSpanId(): string | undefined {
  const ctx = trace.getActiveSpan()?.spanContext();
  return ctx && isSpanContextValid(ctx) ? ctx.spanId : undefined;
}
