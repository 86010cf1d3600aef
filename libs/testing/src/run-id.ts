import { randomBytes } from 'node:crypto';

/**
 * A short id unique to this test process, so parallel or repeated runs never share
 * databases, streams or subjects. Stable for the life of the process.
 */
export const TEST_RUN_ID: string =
  process.env.TEST_RUN_ID ?? `${process.pid.toString(36)}${randomBytes(3).toString('hex')}`;

/** A name unique to this run, lower-case and safe as a database, stream or subject token. */
export function uniqueName(prefix: string): string {
  const suffix = randomBytes(3).toString('hex');
  return `${prefix}_${TEST_RUN_ID}_${suffix}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}
