import {
  fromOptionalTimestamp,
  fromTimestamp,
  InvalidTimestampError,
  MAX_TIMESTAMP_SECONDS,
  MIN_TIMESTAMP_SECONDS,
  toTimestamp,
} from './timestamp';

describe('timestamp helpers', () => {
  it.each([
    ['the epoch', '1970-01-01T00:00:00.000Z', { seconds: 0, nanos: 0 }],
    ['a recent time', '2024-02-29T12:34:56.789Z', { seconds: 1_709_210_096, nanos: 789_000_000 }],
    ['a time before 1970 (nanos stay positive)', '1969-12-31T23:59:59.250Z', { seconds: -1, nanos: 250_000_000 }],
    ['the first instant of year 1', '0001-01-01T00:00:00.000Z', { seconds: MIN_TIMESTAMP_SECONDS, nanos: 0 }],
    [
      'the last millisecond of year 9999',
      '9999-12-31T23:59:59.999Z',
      { seconds: MAX_TIMESTAMP_SECONDS, nanos: 999_000_000 },
    ],
  ])('round-trips %s', (_label, iso, expected) => {
    const date = new Date(iso);
    expect(toTimestamp(date)).toEqual(expected);
    expect(toTimestamp(date.getTime())).toEqual(expected);
    expect(fromTimestamp(expected).toISOString()).toBe(iso);
  });

  it('keeps sub-millisecond epoch fractions as nanos and truncates them back to milliseconds', () => {
    expect(toTimestamp(1_000.5)).toEqual({ seconds: 1, nanos: 500_000 });
    expect(fromTimestamp({ seconds: 1, nanos: 999_999_999 }).getTime()).toBe(1_999);
  });

  it.each([
    ['an invalid Date', new Date('not a date')],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a time before year 1', MIN_TIMESTAMP_SECONDS * 1000 - 1],
    ['a time after year 9999', (MAX_TIMESTAMP_SECONDS + 1) * 1000],
    ['a time beyond what Date can hold', 1e20],
    ['a string', '2024-01-01' as unknown as number],
  ])('toTimestamp rejects %s', (_label, value) => {
    expect(() => toTimestamp(value)).toThrow(InvalidTimestampError);
  });

  it.each([
    ['null', null],
    ['seconds missing', { nanos: 0 }],
    ['fractional seconds', { seconds: 1.5, nanos: 0 }],
    ['seconds as a Long-like object', { seconds: { low: 1, high: 0 }, nanos: 0 }],
    ['seconds as a string', { seconds: '1', nanos: 0 }],
    ['negative nanos', { seconds: 1, nanos: -1 }],
    ['nanos of a whole second', { seconds: 1, nanos: 1_000_000_000 }],
    ['seconds before year 1', { seconds: MIN_TIMESTAMP_SECONDS - 1, nanos: 0 }],
    ['seconds after year 9999', { seconds: MAX_TIMESTAMP_SECONDS + 1, nanos: 0 }],
  ])('fromTimestamp rejects %s', (_label, value) => {
    expect(() => fromTimestamp(value as never)).toThrow(InvalidTimestampError);
  });

  it('gives errors a stable code for the error mapping', () => {
    const error = (() => {
      try {
        fromTimestamp({ seconds: 1, nanos: -1 });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(RangeError);
    expect(error).toMatchObject({ code: 'TIMESTAMP.INVALID', name: 'InvalidTimestampError' });
  });

  it('maps unset optional fields (null from proto-loader, undefined from writers) to undefined', () => {
    expect(fromOptionalTimestamp(null)).toBeUndefined();
    expect(fromOptionalTimestamp(undefined)).toBeUndefined();
    expect(fromOptionalTimestamp({ seconds: 60, nanos: 0 })).toEqual(new Date(60_000));
  });
});
