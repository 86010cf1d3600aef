import { toTimestamp } from '@app/contracts/grpc';
import { createApp, StartedApp } from '@app/platform/bootstrap';
import { freePort, TestDatabase } from '@app/testing';
import { IngestionModule } from '../src/ingestion.module';
import { anInteraction } from './ingestion.test-kit';

/**
 * Boots the ingestion service in-process against whatever PostgreSQL and NATS addresses a resilience
 * test puts in front of it (a proxy, a private nats-server); `startTestApp` always uses the shared ones.
 */
export async function bootIngestion(env: Record<string, string>): Promise<StartedApp> {
  return createApp({
    name: 'ingestion',
    module: IngestionModule.register({
      env: {
        NODE_ENV: 'test',
        BIND_HOST: '127.0.0.1',
        HTTP_PORT: String(await freePort()),
        GRPC_PORT: String(await freePort()),
        ...env,
      },
    }),
    logLevel: 'silent',
  });
}

export interface RestIngest {
  status: number;
  body: {
    summary?: { received: number; accepted: number; duplicates: number; quarantined: number };
    results?: { key: string; status: string }[];
    error?: { code: string; message: string };
  };
  retryAfter: string | null;
}

export async function postInteractions(app: StartedApp, interactions: readonly object[]): Promise<RestIngest> {
  const res = await fetch(`${app.httpUrl}/v1/interactions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ interactions }),
  });
  return {
    status: res.status,
    body: (await res.json()) as RestIngest['body'],
    retryAfter: res.headers.get('retry-after'),
  };
}

export async function readiness(
  app: StartedApp,
): Promise<{ status: number; checks: Record<string, { status: string }> }> {
  const res = await fetch(`${app.httpUrl}/health/ready`);
  const body = (await res.json()) as { checks: Record<string, { status: string }> };
  return { status: res.status, checks: body.checks };
}

/** `n` new storefront interactions, as REST bodies. */
export function interactions(n: number, userId: string): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => anInteraction({ userId, itemId: `sku-${i % 5}` }));
}

/** The same interactions as gRPC messages. */
export function asGrpc(rest: readonly Record<string, unknown>[]): object[] {
  return rest.map((r) => ({
    eventId: r.eventId,
    userId: r.userId,
    itemId: r.itemId,
    type: 'INTERACTION_TYPE_VIEW',
    occurredAt: toTimestamp(Date.parse(r.occurredAt as string)),
  }));
}

/** Drops a test database even when the app under test is still holding connections to it. */
export async function dropQuietly(db: TestDatabase | undefined): Promise<void> {
  await db?.drop().catch((err: unknown) => console.error(`could not drop ${db.name}: ${(err as Error).message}`));
}
