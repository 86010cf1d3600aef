/**
 * A stock-level suggestion and the one rule of its life: it is proposed by the system, then a person
 * accepts or rejects it (or a newer computation supersedes it). Every change bumps `revision`, so a
 * decision taken on a stale screen is refused instead of silently overwriting someone else's.
 */
export type SuggestionStatus = 'proposed' | 'accepted' | 'rejected' | 'superseded';
export type PolicyType = 'continuous_review' | 'periodic_review';
export type AuditAction = 'proposed' | 'accepted' | 'rejected' | 'superseded';

export interface SuggestionReason {
  /** Stable code, e.g. `POLICY.REORDER`, `RULE.ORDER_CAP`. */
  code: string;
  text: string;
  ruleId?: string;
}

export interface SuggestionFigures {
  policy: PolicyType;
  orderQuantity: number;
  reorderPoint: number;
  safetyStock: number;
  orderUpToLevel: number;
  economicOrderQuantity: number;
  inventoryPosition: number;
  onHand: number;
  onOrder: number;
  daysOfCover: number;
  stockoutProbability: number;
  expectedUnitsShort: number;
  excessUnits: number;
  excessValueMinor: number;
  currency: string;
  targetServiceLevel: number;
  leadTimeDays: number;
  /** ISO date (YYYY-MM-DD) on which the order should be placed. */
  orderDate: string;
}

export interface Decision {
  actor: string;
  decidedAt: Date;
  reason: string;
  quantityOverride?: number;
}

export interface Suggestion extends SuggestionFigures {
  suggestionId: string;
  sku: string;
  storeId: string;
  status: SuggestionStatus;
  revision: number;
  forecastId?: string;
  forecastModel: string;
  reasons: SuggestionReason[];
  computationId?: string;
  computedAt: Date;
  decision?: Decision;
}

export interface AuditEntry {
  action: AuditAction;
  actor: string;
  at: Date;
  reason: string;
  revision: number;
}

export type DecisionFailure =
  | { kind: 'not_open'; status: SuggestionStatus }
  | { kind: 'stale'; current: number }
  | { kind: 'invalid_quantity' }
  | { kind: 'missing_reason' };

export type DecisionResult =
  { ok: true; suggestion: Suggestion; audit: AuditEntry } | { ok: false; failure: DecisionFailure };

export interface DecisionInput {
  expectedRevision: number;
  actor: string;
  reason: string;
  at: Date;
  quantityOverride?: number;
}

function decide(s: Suggestion, action: 'accepted' | 'rejected', input: DecisionInput): DecisionResult {
  if (s.status !== 'proposed') return { ok: false, failure: { kind: 'not_open', status: s.status } };
  // Revision 0 means "whatever is current": for callers that do not track revisions.
  if (input.expectedRevision !== 0 && input.expectedRevision !== s.revision) {
    return { ok: false, failure: { kind: 'stale', current: s.revision } };
  }
  if (
    input.quantityOverride !== undefined &&
    (!Number.isInteger(input.quantityOverride) || input.quantityOverride < 0)
  ) {
    return { ok: false, failure: { kind: 'invalid_quantity' } };
  }
  const revision = s.revision + 1;
  const decision: Decision = {
    actor: input.actor,
    decidedAt: input.at,
    reason: input.reason,
    ...(input.quantityOverride !== undefined ? { quantityOverride: input.quantityOverride } : {}),
  };
  return {
    ok: true,
    suggestion: { ...s, status: action, revision, decision },
    audit: { action, actor: input.actor, at: input.at, reason: input.reason, revision },
  };
}

export function acceptSuggestion(s: Suggestion, input: DecisionInput): DecisionResult {
  return decide(s, 'accepted', input);
}

export function rejectSuggestion(s: Suggestion, input: DecisionInput): DecisionResult {
  // A rejection without a why teaches nobody anything; planners must say it.
  if (!input.reason.trim()) return { ok: false, failure: { kind: 'missing_reason' } };
  return decide(s, 'rejected', { ...input, quantityOverride: undefined });
}

/** The quantity that will actually be ordered: the manager's override when given. */
export function effectiveOrderQuantity(s: Suggestion): number {
  return s.decision?.quantityOverride ?? s.orderQuantity;
}
