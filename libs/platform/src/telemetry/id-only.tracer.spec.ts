import { context, ROOT_CONTEXT, trace, TraceFlags, type SpanContext } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TraceState } from '@opentelemetry/core';
import { IdOnlyTracer } from './id-only.tracer';

const HEX32 = /^(?!0{32})[0-9a-f]{32}$/;
const HEX16 = /^(?!0{16})[0-9a-f]{16}$/;

const remote = (traceFlags: number): SpanContext => ({
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags,
  traceState: new TraceState('vendor=1'),
  isRemote: true,
});

describe(IdOnlyTracer.name, () => {
  const tracer = new IdOnlyTracer();
  const manager = new AsyncLocalStorageContextManager();

  beforeAll(() => context.setGlobalContextManager(manager.enable()));
  afterAll(() => context.disable());

  it('starts a trace of its own with fresh ids, marked sampled so a peer that records keeps it', () => {
    const span = tracer.startSpan('GET /x', {}, ROOT_CONTEXT);
    const other = tracer.startSpan('GET /y', {}, ROOT_CONTEXT);
    expect(span.spanContext()).toMatchObject({ traceId: expect.stringMatching(HEX32), traceFlags: TraceFlags.SAMPLED });
    expect(span.spanContext().spanId).toMatch(HEX16);
    expect(other.spanContext().traceId).not.toBe(span.spanContext().traceId);
    expect(span.isRecording()).toBe(false);
  });

  it("continues the caller's trace with a span id of its own, keeping the caller's flags and trace state", () => {
    for (const flags of [TraceFlags.SAMPLED, TraceFlags.NONE]) {
      const parent = remote(flags);
      const span = tracer.startSpan('POST /v1/interactions', {}, trace.setSpanContext(ROOT_CONTEXT, parent));
      const ctx = span.spanContext();
      expect({ traceId: ctx.traceId, traceFlags: ctx.traceFlags, state: ctx.traceState?.serialize() }).toEqual({
        traceId: parent.traceId,
        traceFlags: flags,
        state: 'vendor=1',
      });
      expect(ctx.spanId).toMatch(HEX16);
      expect(ctx.spanId).not.toBe(parent.spanId);
      expect(ctx.isRemote).toBe(false);
    }
  });

  it('ignores the parent when asked for a root span', () => {
    const parent = remote(TraceFlags.SAMPLED);
    const span = tracer.startSpan('job', { root: true }, trace.setSpanContext(ROOT_CONTEXT, parent));
    expect(span.spanContext().traceId).not.toBe(parent.traceId);
  });

  it('makes the span active inside startActiveSpan, under the active parent, in every overload', () => {
    const parent = remote(TraceFlags.SAMPLED);
    context.with(trace.setSpanContext(ROOT_CONTEXT, parent), () => {
      const seen = [
        tracer.startActiveSpan('a', (span) => [span, trace.getActiveSpan()]),
        tracer.startActiveSpan('b', {}, (span) => [span, trace.getActiveSpan()]),
      ];
      for (const [span, active] of seen) {
        expect(active).toBe(span);
        expect(span!.spanContext().traceId).toBe(parent.traceId);
      }
    });
    const explicit = tracer.startActiveSpan('c', {}, trace.setSpanContext(ROOT_CONTEXT, parent), (span) => span);
    expect(explicit.spanContext().traceId).toBe(parent.traceId);
    expect(tracer.startActiveSpan('d', () => 42)).toBe(42);
  });
});
