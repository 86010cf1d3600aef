import 'reflect-metadata';
import { Metadata } from '@grpc/grpc-js';
import { Controller, Get, INestApplication, Module, Post } from '@nestjs/common';
import { APP_GUARD, NestFactory, Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { TEST_NATS_URL, uniqueNamespace } from '@app/testing';
import { AllExceptionsFilter } from '../errors/exception.filter';
import { JetStreamClient } from '../messaging/jetstream.client';
import { API_KEY_BUCKET, ApiKeyRegistry } from './api-key.registry';
import { PermissionDeniedError, RateLimitedError, UnauthenticatedError } from './auth.errors';
import { Authenticator, AuthGuard } from './auth.guard';
import { Public, RequireScopes } from './scopes.decorator';

@Controller('t')
class TestController {
  @Public()
  @Get('open')
  open() {
    return { ok: true };
  }

  @RequireScopes('recommendations:read')
  @Get('read')
  read() {
    return { ok: true };
  }

  @RequireScopes('dss:approve')
  @Post('approve')
  approve() {
    return { ok: true };
  }

  @Get('undeclared')
  undeclared() {
    return { ok: true };
  }
}

/** The guard in a real Nest app over HTTP, and on a gRPC call's context, with keys from a real KV bucket. */
describe(AuthGuard.name, () => {
  const namespace = uniqueNamespace('authguard');
  let bus: JetStreamClient;
  let keys: ApiKeyRegistry;
  let app: INestApplication;
  let base = '';
  let reader = '';
  let approver = '';
  const auth = () =>
    new Authenticator({ required: true, keys, serviceToken: 'shared-secret', rateLimit: { perSecond: 1, burst: 3 } });

  beforeAll(async () => {
    bus = await JetStreamClient.connect({ url: TEST_NATS_URL, namespace, name: 'auth-guard' });
    keys = await ApiKeyRegistry.open(bus);
    reader = (await keys.create({ name: 'storefront', scopes: ['recommendations:read'], createdBy: 'test' })).token;
    approver = (await keys.create({ name: 'manager', scopes: ['dss:approve'], createdBy: 'test' })).token;
    const authenticator = auth();
    @Module({
      controllers: [TestController],
      providers: [
        { provide: APP_GUARD, useFactory: (r: Reflector) => new AuthGuard(r, authenticator), inject: [Reflector] },
      ],
    })
    class TestModule {}
    app = await NestFactory.create(TestModule, { logger: false });
    app.useGlobalFilters(new AllExceptionsFilter());
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/t`;
  });

  afterAll(async () => {
    await app?.close();
    await keys?.close();
    await (await bus.keyValue(API_KEY_BUCKET)).destroy();
    await bus?.close();
  });

  const call = async (path: string, headers: Record<string, string> = {}, method = 'GET') => {
    const res = await fetch(`${base}/${path}`, { method, headers });
    return {
      status: res.status,
      body: (await res.json()) as { error?: { code: string; message: string } },
      headers: res.headers,
    };
  };

  it('answers 401 with WWW-Authenticate without credentials or with a bad key, and lets public endpoints through', async () => {
    expect((await call('open')).status).toBe(200);
    const none = await call('read');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(none.body.error?.code).toBe('AUTH.UNAUTHENTICATED');
    expect((await call('read', { authorization: `Bearer ${reader.slice(0, -1)}x` })).status).toBe(401);
    expect((await call('read', { authorization: 'Bearer svc.shared-secret' })).status).toBe(401); // not over HTTP
  });

  it('answers 403 naming the scope for a valid key without it, and 200 with it (header or X-API-Key)', async () => {
    const denied = await call('approve', { authorization: `Bearer ${reader}` }, 'POST');
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({ code: 'AUTH.PERMISSION_DENIED', message: 'missing scope: dss:approve' });
    expect((await call('approve', { 'x-api-key': approver }, 'POST')).status).toBe(201);
    expect((await call('read', { authorization: `Bearer ${reader}` })).status).toBe(200);
  });

  it('refuses an endpoint that declares no scope, even to a valid key (fails closed)', async () => {
    expect((await call('undeclared', { authorization: `Bearer ${reader}` })).status).toBe(403);
  });

  it('limits each key: 429 with Retry-After once its burst is spent', async () => {
    const { token } = await keys.create({ name: 'busy', scopes: ['recommendations:read'], createdBy: 'test' });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 6; i++) {
      const r = await call('read', { authorization: `Bearer ${token}` });
      statuses.push(r.status);
      retryAfter ??= r.headers.get('retry-after');
    }
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it('reads gRPC metadata: the service token is accepted there, keys too, and errors map to gRPC kinds', async () => {
    const guard = new AuthGuard(new Reflector(), auth());
    const handler = TestController.prototype.read;
    const context = (md: Record<string, string>) => {
      const metadata = new Metadata();
      for (const [k, v] of Object.entries(md)) metadata.set(k, v);
      const host = new ExecutionContextHost([{}, metadata, {}], TestController, handler);
      host.setType('rpc');
      return host;
    };
    await expect(guard.canActivate(context({ authorization: 'Bearer svc.shared-secret' }))).resolves.toBe(true);
    await expect(guard.canActivate(context({ 'x-api-key': reader }))).resolves.toBe(true);
    await expect(guard.canActivate(context({}))).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(guard.canActivate(context({ authorization: 'Bearer svc.wrong-secret' }))).rejects.toBeInstanceOf(
      UnauthenticatedError,
    );
    await expect(
      new AuthGuard(new Reflector(), auth()).canActivate(
        (() => {
          const metadata = new Metadata();
          metadata.set('x-api-key', reader);
          const host = new ExecutionContextHost([{}, metadata, {}], TestController, TestController.prototype.approve);
          host.setType('rpc');
          return host;
        })(),
      ),
    ).rejects.toBeInstanceOf(PermissionDeniedError);
    expect(new RateLimitedError(2)).toMatchObject({ kind: 'RESOURCE_EXHAUSTED', retryAfterSeconds: 2 });
  });
});
