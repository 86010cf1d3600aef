import type { Timestamp } from '../generated/google/protobuf/timestamp';

/** google.protobuf.Timestamp's valid range: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z. */
export const MIN_TIMESTAMP_SECONDS = -62_135_596_800;
export const MAX_TIMESTAMP_SECONDS = 253_402_300_799;
const NANOS_PER_SECOND = 1_000_000_000;
const NANOS_PER_MILLI = 1_000_000;

/** A value that is not a valid google.protobuf.Timestamp. Map its code to INVALID_ARGUMENT / 400. */
export class InvalidTimestampError extends RangeError {
  readonly code = 'TIMESTAMP.INVALID';
  override readonly name = 'InvalidTimestampError';
}

/**
 * A Date or epoch milliseconds (fractions keep sub-millisecond precision) as a Timestamp.
 * Throws InvalidTimestampError for invalid dates, non-finite numbers and times outside years 1-9999.
 */
export function toTimestamp(value: Date | number): Timestamp {
  let millis: number;
  if (value instanceof Date) {
    millis = value.getTime();
    if (Number.isNaN(millis)) throw new InvalidTimestampError('invalid Date');
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidTimestampError(`epoch milliseconds must be finite, got ${value}`);
    millis = value;
  } else {
    throw new InvalidTimestampError(`expected a Date or epoch milliseconds, got ${typeof value}`);
  }
  let seconds = Math.floor(millis / 1000);
  // Floor, so nanos stay in [0, 1e9) for times before 1970, as the Timestamp spec requires.
  let nanos = Math.round((millis - seconds * 1000) * NANOS_PER_MILLI);
  if (nanos >= NANOS_PER_SECOND) {
    seconds += 1;
    nanos -= NANOS_PER_SECOND;
  }
  if (seconds < MIN_TIMESTAMP_SECONDS || seconds > MAX_TIMESTAMP_SECONDS) {
    throw new InvalidTimestampError(`epoch milliseconds ${millis} are outside years 0001-9999`);
  }
  return { seconds, nanos };
}

/**
 * A Timestamp as a Date (sub-millisecond nanos are truncated). Throws InvalidTimestampError when
 * seconds or nanos are missing, not integers (e.g. a Long because the loader was misconfigured) or
 * out of range.
 */
export function fromTimestamp(ts: Timestamp): Date {
  if (ts === null || typeof ts !== 'object') throw new InvalidTimestampError(`expected a Timestamp, got ${String(ts)}`);
  const { seconds, nanos } = ts;
  if (typeof seconds !== 'number' || !Number.isInteger(seconds)) {
    throw new InvalidTimestampError(`Timestamp.seconds must be an integer number, got ${describe(seconds)}`);
  }
  if (typeof nanos !== 'number' || !Number.isInteger(nanos)) {
    throw new InvalidTimestampError(`Timestamp.nanos must be an integer number, got ${describe(nanos)}`);
  }
  if (seconds < MIN_TIMESTAMP_SECONDS || seconds > MAX_TIMESTAMP_SECONDS) {
    throw new InvalidTimestampError(`Timestamp.seconds ${seconds} is outside years 0001-9999`);
  }
  if (nanos < 0 || nanos >= NANOS_PER_SECOND) {
    throw new InvalidTimestampError(`Timestamp.nanos ${nanos} is outside [0, 999999999]`);
  }
  return new Date(seconds * 1000 + Math.floor(nanos / NANOS_PER_MILLI));
}

/** Like fromTimestamp, for optional message fields (proto-loader gives null when unset). */
export function fromOptionalTimestamp(ts: Timestamp | null | undefined): Date | undefined {
  return ts === null || ts === undefined ? undefined : fromTimestamp(ts);
}

function describe(value: unknown): string {
  return typeof value === 'object' && value !== null
    ? `${value.constructor?.name ?? 'object'}`
    : `${typeof value} ${String(value)}`;
}
