import { formatUtcIso, isValidTimeZone, localToUtc, parseTime, zoneOffsetMs } from './time.parser';

const iso = (value: unknown, zone = 'UTC'): string | undefined => {
  const t = parseTime(value, zone);
  return typeof t === 'object' ? new Date(t.ms).toISOString() : undefined;
};

describe('parseTime', () => {
  it('reads ISO-8601 in UTC without marking it normalised', () => {
    expect(parseTime('2024-06-15T10:00:00Z', 'Europe/London')).toEqual({
      ms: Date.parse('2024-06-15T10:00:00Z'),
      normalised: false,
    });
    expect(iso('2024-06-15T10:00:00.123456Z')).toBe('2024-06-15T10:00:00.123Z');
    expect(iso('2024-06-15t10:00z')).toBe('2024-06-15T10:00:00.000Z');
  });

  it('applies explicit offsets in every spelling', () => {
    expect(iso('2024-06-15T11:00:00+01:00')).toBe('2024-06-15T10:00:00.000Z');
    expect(iso('2024-06-15T11:00:00+0100')).toBe('2024-06-15T10:00:00.000Z');
    expect(iso('2024-06-15T05:30:00-04:30')).toBe('2024-06-15T10:00:00.000Z');
    expect(iso('2024-06-15T10:00:00+00')).toBe('2024-06-15T10:00:00.000Z');
    expect(parseTime('2024-06-15T10:00:00+00:00', 'UTC')).toMatchObject({ normalised: true });
  });

  it('reads a space separator and date-only values as wall-clock time', () => {
    expect(iso('2010-12-01 08:26:00')).toBe('2010-12-01T08:26:00.000Z');
    expect(iso('2010-12-01 08:26')).toBe('2010-12-01T08:26:00.000Z');
    expect(iso('2010-12-01')).toBe('2010-12-01T00:00:00.000Z');
    expect(parseTime('2010-12-01 08:26:00', 'UTC')).toMatchObject({ normalised: true });
  });

  it('interprets naive times in Europe/London with BST in summer and GMT in winter', () => {
    expect(iso('2024-07-01T09:00:00', 'Europe/London')).toBe('2024-07-01T08:00:00.000Z');
    expect(iso('2024-01-15T09:00:00', 'Europe/London')).toBe('2024-01-15T09:00:00.000Z');
    expect(iso('2010-12-01 08:26:00', 'Europe/London')).toBe('2010-12-01T08:26:00.000Z');
    expect(iso('2024-07-01 09:00:00', 'America/New_York')).toBe('2024-07-01T13:00:00.000Z');
    expect(iso('2024-07-01T09:00:00', 'Asia/Kolkata')).toBe('2024-07-01T03:30:00.000Z');
  });

  it('resolves DST edges like Temporal "compatible": repeated hour -> earlier, skipped hour -> later', () => {
    // 2024-10-27 01:30 happens twice in London (BST then GMT).
    expect(iso('2024-10-27T01:30:00', 'Europe/London')).toBe('2024-10-27T00:30:00.000Z');
    // 2024-03-31 01:30 does not exist in London; it becomes 02:30 BST.
    expect(iso('2024-03-31T01:30:00', 'Europe/London')).toBe('2024-03-31T01:30:00.000Z');
    // Around the switch the neighbours are exact.
    expect(iso('2024-03-31T00:59:00', 'Europe/London')).toBe('2024-03-31T00:59:00.000Z');
    expect(iso('2024-03-31T02:00:00', 'Europe/London')).toBe('2024-03-31T01:00:00.000Z');
    expect(iso('2024-10-27T02:00:00', 'Europe/London')).toBe('2024-10-27T02:00:00.000Z');
  });

  it('tells epoch seconds from milliseconds by magnitude, as numbers and numeric strings', () => {
    const s = Date.parse('2010-12-01T08:26:00Z') / 1000;
    expect(iso(s)).toBe('2010-12-01T08:26:00.000Z');
    expect(iso(s * 1000)).toBe('2010-12-01T08:26:00.000Z');
    expect(iso(String(s))).toBe('2010-12-01T08:26:00.000Z');
    expect(iso(`${s * 1000}`)).toBe('2010-12-01T08:26:00.000Z');
    expect(iso(`${s}.25`)).toBe('2010-12-01T08:26:00.250Z');
    expect(parseTime(s, 'UTC')).toMatchObject({ normalised: true });
  });

  it('reads protobuf Timestamps and treats {0,0} as unset', () => {
    expect(iso({ seconds: 1718445600, nanos: 500_000_000 })).toBe('2024-06-15T10:00:00.500Z');
    expect(iso({ seconds: '1718445600', nanos: 0 })).toBe('2024-06-15T10:00:00.000Z');
    expect(parseTime({ seconds: 0, nanos: 0 }, 'UTC')).toBe('absent');
    expect(parseTime({ seconds: 1, nanos: 2e9 }, 'UTC')).toBe('invalid');
    expect(parseTime({ seconds: 1.5, nanos: 0 }, 'UTC')).toBe('invalid');
  });

  it('treats empty values as absent and rejects garbage', () => {
    for (const v of [undefined, null, '', '   ']) expect(parseTime(v, 'UTC')).toBe('absent');
    for (const v of [
      'yesterday',
      '2024-13-01',
      '2024-02-30',
      '2023-02-29T00:00:00Z',
      '2024-06-15T24:00:00Z',
      '2024-06-15T10:00:00+25:00',
      '2024-06-15T10:00:00Zjunk',
      '2024-06-15X10:00',
      '12/1/2010 8:26',
      true,
      [],
      Number.NaN,
      1e20,
    ]) {
      expect(parseTime(v, 'UTC')).toBe('invalid');
    }
    expect(iso('2024-02-29T00:00:00Z')).toBe('2024-02-29T00:00:00.000Z');
  });
});

describe('zones', () => {
  it('knows valid IANA zones and rejects unknown ones', () => {
    expect(isValidTimeZone('Europe/London')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });

  it('gives the offset of a zone at an instant', () => {
    expect(zoneOffsetMs('Europe/London', Date.parse('2024-07-01T00:00:00Z'))).toBe(3_600_000);
    expect(zoneOffsetMs('Europe/London', Date.parse('2024-01-01T00:00:00Z'))).toBe(0);
    expect(zoneOffsetMs('Australia/Sydney', Date.parse('2024-01-01T00:00:00Z'))).toBe(11 * 3_600_000);
    expect(localToUtc(Date.parse('2024-01-01T11:00:00Z'), 'Australia/Sydney')).toBe(Date.parse('2024-01-01T00:00:00Z'));
  });
});

describe('formatUtcIso', () => {
  it('matches Date#toISOString', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 20_000; i++) {
      const ms = Math.floor(-1e13 + random() * 2e14);
      expect(formatUtcIso(ms)).toBe(new Date(ms).toISOString());
    }
    for (const ms of [0, -1, 951_782_400_000, 253_402_300_799_999, -62_135_596_800_000]) {
      expect(formatUtcIso(ms)).toBe(new Date(ms).toISOString());
    }
  });
});
