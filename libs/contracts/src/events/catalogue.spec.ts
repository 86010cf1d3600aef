import { EVENT_CATALOGUE, EventSubject, STREAMS, parseEvent } from './catalogue';

function matches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

const now = '2026-11-21T10:00:00.000Z';

describe('EVENT_CATALOGUE', () => {
  it('routes every subject to exactly the stream it declares', () => {
    for (const [subject, entry] of Object.entries(EVENT_CATALOGUE)) {
      const owners = Object.entries(STREAMS)
        .filter(([, s]) => s.subjects.some((p) => matches(p, subject)))
        .map(([name]) => name);
      expect({ subject, owners }).toEqual({ subject, owners: [entry.stream] });
    }
  });

  it('versions every subject', () => {
    for (const subject of Object.keys(EVENT_CATALOGUE)) expect(subject).toMatch(/\.v\d+\./);
  });

  it('accepts a valid interaction and fills defaults', () => {
    const e = parseEvent('events.v1.interaction', {
      eventId: 'e1',
      type: 'purchase',
      userId: 'u1',
      itemId: 'i1',
      occurredAt: now,
      receivedAt: now,
      quantity: 2,
      unitPriceMinor: 1999,
      currency: 'EUR',
    });
    expect(e.context).toEqual({});
    expect(e.newUser).toBe(false);
  });

  it('names the field at fault', () => {
    const subject: EventSubject = 'events.v1.interaction';
    const result = EVENT_CATALOGUE[subject].schema.safeParse({
      eventId: 'e1',
      type: 'purchase',
      itemId: 'i1',
      occurredAt: '2026-11-21T10:00:00+02:00',
      receivedAt: now,
    });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['occurredAt']));
  });

  it('rejects an interaction with neither user nor session', () => {
    expect(() =>
      parseEvent('events.v1.interaction', {
        eventId: 'e',
        type: 'view',
        itemId: 'i',
        occurredAt: now,
        receivedAt: now,
      }),
    ).toThrow(/userId or sessionId/);
  });

  it('rejects a zero sales quantity and a service level of 1', () => {
    expect(() =>
      parseEvent('sales.v1.line', {
        lineId: 'l',
        sku: 's',
        storeId: 'st',
        quantity: 0,
        kind: 'sale',
        unitPriceMinor: 1,
        currency: 'EUR',
        occurredAt: now,
      }),
    ).toThrow(/must not be zero/);
    expect(() =>
      parseEvent('supply.v1.parameters', {
        sku: 's',
        leadTimeDays: 3,
        unitCostMinor: 100,
        currency: 'EUR',
        serviceLevel: 1,
        updatedAt: now,
      }),
    ).toThrow();
  });
});
