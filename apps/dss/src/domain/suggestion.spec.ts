import { aSuggestion } from '../../test/dss.builders';
import { acceptSuggestion, effectiveOrderQuantity, rejectSuggestion, Suggestion } from './suggestion';

const at = new Date('2026-11-21T10:00:00Z');

const proposed = (overrides: Partial<Suggestion> = {}): Suggestion => aSuggestion({ suggestionId: 's1', ...overrides });

describe('suggestion decisions', () => {
  it('accepts an open suggestion, bumping the revision and recording who, when and why', () => {
    const r = acceptSuggestion(proposed(), {
      expectedRevision: 1,
      actor: 'ana',
      reason: 'ok',
      at,
      quantityOverride: 48,
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.suggestion).toMatchObject({
      status: 'accepted',
      revision: 2,
      decision: { actor: 'ana', quantityOverride: 48 },
    });
    expect(r.audit).toEqual({ action: 'accepted', actor: 'ana', at, reason: 'ok', revision: 2 });
    expect(effectiveOrderQuantity(r.suggestion)).toBe(48);
  });

  it('refuses a decision taken on a stale revision', () => {
    const r = acceptSuggestion(proposed({ revision: 3 }), { expectedRevision: 2, actor: 'ana', reason: '', at });
    expect(r).toEqual({ ok: false, failure: { kind: 'stale', current: 3 } });
  });

  it('refuses to decide twice', () => {
    const r = rejectSuggestion(proposed({ status: 'accepted' }), {
      expectedRevision: 0,
      actor: 'bo',
      reason: 'no',
      at,
    });
    expect(r).toEqual({ ok: false, failure: { kind: 'not_open', status: 'accepted' } });
  });

  it('requires a reason to reject and a whole, non-negative override to accept', () => {
    expect(rejectSuggestion(proposed(), { expectedRevision: 1, actor: 'bo', reason: '  ', at })).toEqual({
      ok: false,
      failure: { kind: 'missing_reason' },
    });
    expect(
      acceptSuggestion(proposed(), { expectedRevision: 1, actor: 'bo', reason: '', at, quantityOverride: 2.5 }),
    ).toEqual({
      ok: false,
      failure: { kind: 'invalid_quantity' },
    });
  });

  it('orders the suggested quantity when there is no override', () => {
    const r = acceptSuggestion(proposed(), { expectedRevision: 0, actor: 'ana', reason: '', at });
    expect(r.ok && effectiveOrderQuantity(r.suggestion)).toBe(60);
  });
});
