import { EVENT_CATALOGUE } from '@app/contracts/events';
import { decodeEvent } from './fact.decoder';

const base = {
  eventId: 'e1',
  type: 'purchase',
  userId: 'u1',
  itemId: 'i1',
  occurredAt: '2026-11-20T10:00:00.000Z',
  receivedAt: '2026-11-20T10:00:01.000Z',
  quantity: 2,
};

describe('decodeEvent', () => {
  it('reads a valid interaction the way the schema would', () => {
    const d = decodeEvent('events.v1.interaction', base, 7);
    expect(d).toEqual({
      outcome: 'fact',
      fact: {
        kind: 'interaction',
        seq: 7,
        eventId: 'e1',
        userId: 'u1',
        sessionId: undefined,
        itemId: 'i1',
        type: 'purchase',
        at: Date.parse(base.occurredAt),
        quantity: 2,
        rating: undefined,
      },
    });
  });

  it('agrees with the schema on what it refuses, and says why', () => {
    const bad: Record<string, unknown>[] = [
      { ...base, type: 'hover' },
      { ...base, userId: undefined, sessionId: undefined },
      { ...base, occurredAt: '2026-11-20T10:00:00+02:00' },
      { ...base, quantity: 0 },
      { ...base, rating: 6 },
      { ...base, itemId: ' i1 ' },
      { ...base, eventId: 'x'.repeat(129) },
    ];
    for (const payload of bad) {
      const schemaAccepts = EVENT_CATALOGUE['events.v1.interaction'].schema.safeParse(payload).success;
      const d = decodeEvent('events.v1.interaction', payload, 1);
      // The fast path never accepts what the schema refuses (the schema trims ids, so ' i1 ' passes there).
      if (!schemaAccepts) expect(d.outcome).toBe('rejected');
      if (d.outcome === 'rejected') expect(d.reason).toMatch(/events\.v1\.interaction/);
    }
  });

  it('ignores subjects the store does not use', () => {
    expect(decodeEvent('sales.v1.line', {}, 1)).toEqual({ outcome: 'ignored' });
  });
});
