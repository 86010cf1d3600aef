import { TEST_RUN_ID } from './run-id';
import { randomBytes } from 'node:crypto';

export const TEST_NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/**
 * A messaging namespace unique to one test: every subject and stream the platform creates is
 * prefixed with it, so runs never see each other's messages.
 */
export function uniqueNamespace(label: string): string {
  return `t${TEST_RUN_ID}${randomBytes(2).toString('hex')}${label}`.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Deletes every JetStream stream of a test namespace (services provision them; tests must not leave them behind). */
export async function deleteNamespaceStreams(namespace: string): Promise<void> {
  // Loaded lazily so that importing the helpers does not load the NATS client.
  const { connect } = await import('nats');
  const nc = await connect({ servers: TEST_NATS_URL, name: `test-cleanup-${namespace}` });
  try {
    const jsm = await nc.jetstreamManager();
    const prefix = `${namespace.toUpperCase()}_`;
    for await (const s of jsm.streams.list()) {
      if (s.config.name.startsWith(prefix)) await jsm.streams.delete(s.config.name);
    }
  } finally {
    await nc.close();
  }
}
