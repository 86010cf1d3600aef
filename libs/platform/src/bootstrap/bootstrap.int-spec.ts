// Telemetry first, as in every main.ts, so that HTTP and gRPC server spans exist and errors carry their trace id.
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTelemetry } from '../telemetry/telemetry';
const spans = new InMemorySpanExporter();
const telemetry = startTelemetry({ serviceName: 'bootstrap-test', spanProcessors: [new SimpleSpanProcessor(spans)] });

import { Body, Controller, Get, Module, Param, Post } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { z } from 'zod';
import { PROTO_LOADER_OPTIONS, GRPC_SERVICES, HEALTH_CONTRACT } from '@app/contracts/grpc';
import { dssV1 } from '@app/contracts';
import {
  createTestDatabase,
  deleteNamespaceStreams,
  freePort,
  TEST_NATS_URL,
  TestDatabase,
  uniqueNamespace,
} from '@app/testing';
import { platformConfigSchema } from '../config/platform.config';
import { NotFoundError } from '../errors/domain-error';
import { errorFromGrpc } from '../errors/exception.filter';
import { parseOrThrow } from '../errors/zod-validation.pipe';
import { PlatformModule } from '../platform/platform.module';
import { createApp, StartedApp } from './bootstrap';

const SuggestionRequest = z.object({ suggestionId: z.string().min(1, 'is required') });
const Decision = z.object({ quantity: z.number().int().positive(), note: z.string().max(10) });

/** One domain path, reached over both transports, that fails in each way the error table knows. */
function findSuggestion(id: string): never {
  if (id === 'boom') throw new Error('connection string postgres://admin:s3cret@db leaked?');
  throw new NotFoundError('SUGGESTION.NOT_FOUND', `No suggestion ${id}`);
}

@Controller()
class DssGrpcTestController {
  @GrpcMethod(dssV1.DSS_SERVICE_NAME, 'GetSuggestion')
  getSuggestion(request: dssV1.GetSuggestionRequest): dssV1.GetSuggestionResponse {
    return findSuggestion(parseOrThrow(SuggestionRequest, request).suggestionId);
  }
}

@Controller('test/suggestions')
class DssHttpTestController {
  @Get(':id')
  get(@Param('id') id: string): never {
    return findSuggestion(id);
  }

  @Post(':id/accept')
  accept(@Body() body: unknown): { ok: true } {
    parseOrThrow(Decision, body);
    return { ok: true };
  }
}

type Unary = (req: object, md: grpc.Metadata, cb: (err: grpc.ServiceError | null, res?: unknown) => void) => void;

function grpcClients(address: string) {
  const files = [...GRPC_SERVICES.dss.protoFiles, ...HEALTH_CONTRACT.protoFiles];
  const def = protoLoader.loadSync(files, PROTO_LOADER_OPTIONS);
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    retail: { dss: { v1: Record<string, grpc.ServiceClientConstructor> } };
    grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } };
  };
  const dss = new pkg.retail.dss.v1[dssV1.DSS_SERVICE_NAME](address, grpc.credentials.createInsecure());
  const health = new pkg.grpc.health.v1.Health(address, grpc.credentials.createInsecure());
  const call = (client: grpc.Client, method: string, req: object) =>
    new Promise<{ err: grpc.ServiceError | null; res?: unknown }>((resolve) =>
      (client as unknown as Record<string, Unary>)[method].call(client, req, new grpc.Metadata(), (err, res) =>
        resolve({ err, res }),
      ),
    );
  return { dss, health, call, close: () => (dss.close(), health.close()) };
}

describe('hybrid app bootstrap (real PostgreSQL and NATS)', () => {
  let db: TestDatabase;
  let started: StartedApp;
  let clients: ReturnType<typeof grpcClients>;
  const namespace = uniqueNamespace('boot');

  beforeAll(async () => {
    db = await createTestDatabase('boot');
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    const env = {
      NODE_ENV: 'test',
      BIND_HOST: '127.0.0.1',
      HTTP_PORT: String(httpPort),
      GRPC_PORT: String(grpcPort),
      DATABASE_URL: db.url,
      NATS_URL: TEST_NATS_URL,
      NATS_NAMESPACE: namespace,
      HTTP_BODY_LIMIT: '1kb',
    };
    @Module({
      imports: [PlatformModule.forRoot({ app: 'dss', schema: platformConfigSchema('dss'), env })],
      controllers: [DssGrpcTestController, DssHttpTestController],
    })
    class TestAppModule {}
    started = await createApp({ name: 'dss', module: TestAppModule, logLevel: 'silent' });
    clients = grpcClients(started.grpcUrl);
  });

  afterAll(async () => {
    clients?.close();
    await started?.close();
    await db?.drop();
    await deleteNamespaceStreams(namespace);
    await telemetry.shutdown();
  });

  describe('health', () => {
    it('is live and ready over HTTP once database and NATS answer', async () => {
      expect((await fetch(`${started.httpUrl}/health/live`)).status).toBe(200);
      const ready = await fetch(`${started.httpUrl}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        status: 'ok',
        checks: { database: { status: 'up' }, messaging: { status: 'up' } },
      });
      expect(ready.headers.get('etag')).toBeNull();
      expect(ready.headers.get('x-powered-by')).toBeNull();
    });

    it('answers grpc.health.v1 for the server, its own service, and not for others', async () => {
      expect((await clients.call(clients.health, 'Check', { service: '' })).res).toEqual({ status: 'SERVING' });
      expect((await clients.call(clients.health, 'Check', { service: 'retail.dss.v1.DssService' })).res).toEqual({
        status: 'SERVING',
      });
      const other = await clients.call(clients.health, 'Check', { service: 'retail.training.v1.TrainingService' });
      expect(other.err?.code).toBe(grpc.status.NOT_FOUND);
      const list = (await clients.call(clients.health, 'List', {})).res as { statuses: Record<string, unknown> };
      expect(Object.keys(list.statuses).sort()).toEqual(['', 'grpc.health.v1.Health', 'retail.dss.v1.DssService']);
    });
  });

  describe('error mapping over gRPC', () => {
    it('turns a validation error into INVALID_ARGUMENT naming the field, with code and trace id', async () => {
      const { err } = await clients.call(clients.dss, 'GetSuggestion', { suggestionId: '' });
      expect(err?.code).toBe(grpc.status.INVALID_ARGUMENT);
      const e = errorFromGrpc(err!);
      expect(e.message).toBe('Invalid request: suggestionId: is required');
      expect(e.code).toBe('REQUEST.INVALID');
      expect(e.violations).toEqual([{ field: 'suggestionId', message: 'is required' }]);
      expect(e.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(spans.getFinishedSpans().some((s) => s.spanContext().traceId === e.traceId)).toBe(true);
    });

    it('turns a domain not-found into NOT_FOUND with its stable code', async () => {
      const { err } = await clients.call(clients.dss, 'GetSuggestion', { suggestionId: 's-404' });
      expect(err?.code).toBe(grpc.status.NOT_FOUND);
      expect(errorFromGrpc(err!)).toMatchObject({ code: 'SUGGESTION.NOT_FOUND', message: 'No suggestion s-404' });
    });

    it('turns an unexpected error into INTERNAL without leaking it', async () => {
      const { err } = await clients.call(clients.dss, 'GetSuggestion', { suggestionId: 'boom' });
      expect(err?.code).toBe(grpc.status.INTERNAL);
      expect(err?.details).toBe('Internal error');
      expect(JSON.stringify(err?.metadata.getMap())).not.toContain('s3cret');
      expect(errorFromGrpc(err!).traceId).toMatch(/^[0-9a-f]{32}$/);
    });

    it('answers UNIMPLEMENTED for an RPC whose service work has not landed', async () => {
      const { err } = await clients.call(clients.dss, 'GetForecast', { sku: 'x', storeId: 'y' });
      expect(err?.code).toBe(grpc.status.UNIMPLEMENTED);
    });
  });

  describe('error mapping over HTTP', () => {
    it('turns a validation error into 400 naming the field, with the trace id', async () => {
      const res = await fetch(`${started.httpUrl}/test/suggestions/s1/accept`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ quantity: -2, note: 'ok' }),
      });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; violations: unknown[]; traceId: string } };
      expect(body.error).toMatchObject({
        code: 'REQUEST.INVALID',
        violations: [{ field: 'quantity', message: expect.stringMatching(/>0|positive|greater/i) }],
      });
      expect(body.error.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(res.headers.get('trace-id')).toBe(body.error.traceId);
    });

    it('maps not-found to 404 and unexpected errors to 500 without internals', async () => {
      const nf = await fetch(`${started.httpUrl}/test/suggestions/s-404`);
      expect(nf.status).toBe(404);
      expect(((await nf.json()) as { error: { code: string } }).error.code).toBe('SUGGESTION.NOT_FOUND');
      const boom = await fetch(`${started.httpUrl}/test/suggestions/boom`);
      expect(boom.status).toBe(500);
      const text = await boom.text();
      expect(text).not.toContain('s3cret');
      expect(JSON.parse(text).error).toMatchObject({ code: 'INTERNAL', message: 'Internal error' });
    });

    it('refuses malformed JSON with 400 and an oversized body with 413', async () => {
      const post = (body: string) =>
        fetch(`${started.httpUrl}/test/suggestions/s1/accept`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
      const malformed = await post('{"quantity": 1,');
      expect(malformed.status).toBe(400);
      expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('REQUEST.MALFORMED');
      const big = await post(JSON.stringify({ quantity: 1, note: 'x'.repeat(5000) }));
      expect(big.status).toBe(413);
      expect(((await big.json()) as { error: { code: string } }).error.code).toBe('REQUEST.TOO_LARGE');
    });

    it('answers unknown routes with a 404 in the same shape', async () => {
      const res = await fetch(`${started.httpUrl}/nope`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ROUTE.NOT_FOUND');
    });
  });
});
