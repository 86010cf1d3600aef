import {
  context as contextApi,
  isSpanContextValid,
  trace,
  TraceFlags,
  type Context,
  type Span,
  type SpanOptions,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { RandomIdGenerator } from '@opentelemetry/sdk-trace-base';

/**
 * The tracer of a process that exports nothing. Its spans record nothing (no attributes, no processor,
 * next to no cost), yet each gets real ids, so log lines and error responses carry a trace id even when
 * the caller sent none, and peers get a `traceparent`. The API's no-op tracer gives no ids of its own, and
 * an always-off sampler would mark every context unsampled, so a peer that does export would drop the
 * requests passing through here. This one keeps the caller's sampling flag and marks a trace it starts
 * sampled, leaving the decision to whoever records.
 */
export class IdOnlyTracer implements Tracer {
  private readonly ids = new RandomIdGenerator();

  startSpan(_name: string, options?: SpanOptions, ctx: Context = contextApi.active()): Span {
    const parent = options?.root ? undefined : trace.getSpanContext(ctx);
    if (parent && isSpanContextValid(parent)) {
      return trace.wrapSpanContext({ ...parent, spanId: this.ids.generateSpanId(), isRemote: false });
    }
    return trace.wrapSpanContext({
      traceId: this.ids.generateTraceId(),
      spanId: this.ids.generateSpanId(),
      traceFlags: TraceFlags.SAMPLED,
    });
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    ctx: Context,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    ...args: [F] | [SpanOptions, F] | [SpanOptions, Context, F]
  ): ReturnType<F> {
    const fn = args[args.length - 1] as F;
    const options = args.length > 1 ? (args[0] as SpanOptions) : undefined;
    const parent = args.length > 2 ? (args[1] as Context) : contextApi.active();
    const span = this.startSpan(name, options, parent);
    return contextApi.with(trace.setSpan(parent, span), fn as (span: Span) => ReturnType<F>, undefined, span);
  }
}

export class IdOnlyTracerProvider implements TracerProvider {
  private readonly tracer = new IdOnlyTracer();

  getTracer(): Tracer {
    return this.tracer;
  }
}
