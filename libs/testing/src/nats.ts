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
