import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { Writable } from 'node:stream';
import { createLogger, JsonLogger } from './logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { lines, stream };
}

describe(JsonLogger.name, () => {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  beforeAll(() => context.setGlobalContextManager(contextManager));
  afterAll(() => context.disable());

  it('writes one JSON object per line with service, level and context', async () => {
    const { lines, stream } = capture();
    const log = new JsonLogger(createLogger('dss', 'info', stream));
    log.log('started', 'Bootstrap');
    log.debug('hidden at info level');
    log.warn({ msg: 'slow', ms: 812 }, 'Db');
    await new Promise((r) => setImmediate(r));
    expect(lines).toEqual([
      expect.objectContaining({ level: 'info', service: 'dss', context: 'Bootstrap', msg: 'started' }),
      expect.objectContaining({ level: 'warn', context: 'Db', msg: 'slow', ms: 812 }),
    ]);
  });

  it('carries the trace id of the active span', async () => {
    const { lines, stream } = capture();
    const log = new JsonLogger(createLogger('dss', 'info', stream));
    const tracer = new BasicTracerProvider().getTracer('t');
    const span = tracer.startSpan('request');
    context.with(trace.setSpan(context.active(), span), () => log.log('inside'));
    span.end();
    log.log('outside');
    await new Promise((r) => setImmediate(r));
    expect(lines[0]).toMatchObject({
      msg: 'inside',
      traceId: span.spanContext().traceId,
      spanId: span.spanContext().spanId,
    });
    expect(lines[1].traceId).toBeUndefined();
  });
});
