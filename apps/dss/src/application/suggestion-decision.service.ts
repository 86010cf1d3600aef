import { Injectable } from '@nestjs/common';
import { SuggestionChangedV1 } from '@app/contracts/events';
import { ConflictError, NotFoundError, PreconditionError, ValidationError } from '@app/platform/errors';
import { enqueueOutbox } from '@app/platform/messaging';
import { OutboxPublisher } from '@app/platform/platform';
import { DataSource, EntityManager } from 'typeorm';
import {
  acceptSuggestion,
  AuditEntry,
  DecisionFailure,
  DecisionInput,
  effectiveOrderQuantity,
  rejectSuggestion,
  Suggestion,
} from '../domain/suggestion';
import { SuggestionQuery, SuggestionRepository } from '../infra/suggestion.repository';

export const SUGGESTION_CHANGED = 'dss.v1.suggestion_changed';

/** The event announcing a suggestion's new state (its msgId makes each revision one message). */
export function suggestionChangedEvent(s: Suggestion, at: Date): SuggestionChangedV1 {
  return {
    suggestionId: s.suggestionId,
    sku: s.sku,
    storeId: s.storeId,
    status: s.status === 'superseded' ? 'expired' : s.status,
    reorderPoint: s.reorderPoint,
    safetyStock: s.safetyStock,
    orderQuantity: effectiveOrderQuantity(s),
    reason: s.reasons
      .map((r) => r.text)
      .join(' ')
      .slice(0, 4000),
    decidedBy: s.decision?.actor,
    decisionNote: s.decision?.reason,
    changedAt: at.toISOString(),
  };
}

/** Announces suggestions' new states, in order, through the outbox of the caller's transaction. */
export async function announceMany(m: EntityManager, list: readonly Suggestion[], at: Date): Promise<void> {
  await enqueueOutbox(
    m,
    list.map((s) => ({
      subject: SUGGESTION_CHANGED,
      msgId: `${s.suggestionId}:${s.revision}`,
      payload: suggestionChangedEvent(s, at),
    })),
  );
}

export function announce(m: EntityManager, s: Suggestion, at: Date): Promise<void> {
  return announceMany(m, [s], at);
}

function failure(id: string, f: DecisionFailure): Error {
  switch (f.kind) {
    case 'not_open':
      return new PreconditionError('SUGGESTION.NOT_OPEN', `Suggestion ${id} is already ${f.status}`);
    case 'stale':
      return new ConflictError(
        'SUGGESTION.STALE_REVISION',
        `Suggestion ${id} changed meanwhile (now revision ${f.current}); reload it and decide again`,
      );
    case 'invalid_quantity':
      return new ValidationError([{ field: 'quantity_override', message: 'must be a whole number ≥ 0' }]);
    case 'missing_reason':
      return new ValidationError([{ field: 'reason', message: 'is required to reject a suggestion' }]);
  }
}

/** Reading suggestions and recording people's decisions on them (with audit and an event). */
@Injectable()
export class SuggestionDecisionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly suggestions: SuggestionRepository,
    private readonly outbox: OutboxPublisher,
  ) {}

  async get(id: string): Promise<{ suggestion: Suggestion; audit: AuditEntry[] }> {
    const suggestion = await this.suggestions.find(this.dataSource, id);
    if (!suggestion) throw new NotFoundError('SUGGESTION.NOT_FOUND', `No suggestion ${id}`);
    return { suggestion, audit: await this.suggestions.auditTrail(id) };
  }

  list(q: SuggestionQuery) {
    return this.suggestions.list(q);
  }

  accept(id: string, input: Omit<DecisionInput, 'at'>): Promise<Suggestion> {
    return this.decide(id, input, acceptSuggestion);
  }

  reject(id: string, input: Omit<DecisionInput, 'at'>): Promise<Suggestion> {
    return this.decide(id, input, rejectSuggestion);
  }

  private async decide(
    id: string,
    input: Omit<DecisionInput, 'at'>,
    rule: typeof acceptSuggestion,
  ): Promise<Suggestion> {
    const at = new Date();
    const decided = await this.dataSource.transaction(async (m) => {
      const current = await this.suggestions.find(m, id, true);
      if (!current) throw new NotFoundError('SUGGESTION.NOT_FOUND', `No suggestion ${id}`);
      const result = rule(current, { ...input, at });
      if (!result.ok) throw failure(id, result.failure);
      await this.suggestions.saveDecision(m, result.suggestion, result.audit);
      await announce(m, result.suggestion, at);
      return result.suggestion;
    });
    this.outbox.nudge();
    return decided;
  }
}
