import { DynamicModule } from '@nestjs/common';
import { AppName } from '@app/platform/config';
import { createApp, StartedApp } from '@app/platform/bootstrap';
import { JetStreamClient, silentLogger } from '@app/platform/messaging';
import { STREAM_DEFINITIONS } from '@app/platform/platform';
import { deleteNamespaceStreams, TEST_NATS_URL, uniqueNamespace } from './nats';
import { freePort } from './ports';
import { createTestDatabase, TestDatabase } from './postgres';

export interface TestApp {
  app: StartedApp;
  db: TestDatabase;
  namespace: string;
  env: Record<string, string>;
  /** A client in the app's namespace, to publish what other services would and read what it emits. */
  bus: JetStreamClient;
  close(): Promise<void>;
}

/**
 * Boots a service in-process with the real PostgreSQL (a fresh `test_` database) and NATS (a fresh
 * namespace), on free ports. `close()` stops it and removes the database and the streams.
 */
export async function startTestApp(
  name: AppName,
  module: (env: Record<string, string>) => DynamicModule,
  extraEnv: Record<string, string> = {},
): Promise<TestApp> {
  const db = await createTestDatabase(name.replace(/-/g, '_'));
  const namespace = uniqueNamespace(name.replace(/-/g, ''));
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    BIND_HOST: '127.0.0.1',
    HTTP_PORT: String(await freePort()),
    GRPC_PORT: String(await freePort()),
    DATABASE_URL: db.url,
    NATS_URL: TEST_NATS_URL,
    NATS_NAMESPACE: namespace,
    ...extraEnv,
  };
  const app = await createApp({ name, module: module(env), logLevel: 'silent' });
  const bus = await JetStreamClient.connect({
    url: TEST_NATS_URL,
    namespace,
    name: `test-${namespace}`,
    streams: STREAM_DEFINITIONS,
    logger: silentLogger,
  });
  return {
    app,
    db,
    namespace,
    env,
    bus,
    close: async () => {
      await app.close();
      await bus.close();
      await deleteNamespaceStreams(namespace);
      await db.drop();
    },
  };
}

/** Polls until `condition` holds, or fails naming what it waited for. */
export async function eventually<T>(
  probe: () => Promise<T>,
  condition: (value: T) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (condition(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; last value ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
