import { Injectable } from '@nestjs/common';
import { ConflictError, NotFoundError, ValidationError } from '@app/platform/errors';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Rule, RuleDefinition, RuleHistoryEntry, RuleScope, validateRule } from '../domain/rule';
import { RuleRepository } from '../infra/rule.repository';

export interface RuleInput {
  name: string;
  scope: RuleScope;
  definition: RuleDefinition;
  enabled: boolean;
}

export interface ChangeInput {
  actor: string;
  reason: string;
  /** The revision the caller saw; 0 = do not check. */
  expectedRevision?: number;
}

/** Planners' rules: created, changed and deleted through the API, every revision kept. */
@Injectable()
export class RuleService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rules: RuleRepository,
  ) {}

  async create(input: RuleInput, change: ChangeInput): Promise<Rule> {
    this.validate(input);
    const rule: Rule = {
      ruleId: randomUUID(),
      revision: 1,
      ...input,
      changedBy: change.actor,
      changedAt: new Date(),
      changeReason: change.reason,
    };
    await this.dataSource.transaction((m) => this.rules.save(m, rule, 'created'));
    return rule;
  }

  update(ruleId: string, input: RuleInput, change: ChangeInput): Promise<Rule> {
    this.validate(input);
    return this.change(ruleId, change, 'updated', (current) => ({ ...current, ...input }));
  }

  delete(ruleId: string, change: ChangeInput): Promise<Rule> {
    return this.change(ruleId, change, 'deleted', (current) => ({ ...current, enabled: false }));
  }

  list(includeDisabled: boolean, limit: number, offset: number): Promise<Rule[]> {
    return this.rules.list(includeDisabled, limit, offset);
  }

  history(ruleId: string): Promise<RuleHistoryEntry[]> {
    return this.rules.history(ruleId);
  }

  private validate(input: RuleInput): void {
    const problems = validateRule(input.name, input.scope, input.definition);
    if (problems.length > 0) throw new ValidationError(problems);
  }

  private async change(
    ruleId: string,
    change: ChangeInput,
    action: 'updated' | 'deleted',
    apply: (current: Rule) => Rule,
  ): Promise<Rule> {
    return this.dataSource.transaction(async (m) => {
      const current = await this.rules.find(m, ruleId, true);
      if (!current || current.deleted) throw new NotFoundError('RULE.NOT_FOUND', `No rule ${ruleId}`);
      if (change.expectedRevision && change.expectedRevision !== current.revision) {
        throw new ConflictError(
          'RULE.STALE_REVISION',
          `Rule ${ruleId} changed meanwhile (now revision ${current.revision}); reload it and try again`,
        );
      }
      const { deleted: _deleted, ...currentRule } = current;
      const next: Rule = {
        ...apply(currentRule),
        ruleId,
        revision: current.revision + 1,
        changedBy: change.actor,
        changedAt: new Date(),
        changeReason: change.reason,
      };
      await this.rules.save(m, next, action);
      return next;
    });
  }
}
