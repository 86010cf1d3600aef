import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Rule, RuleAction, RuleDefinition, RuleHistoryEntry, RuleScope } from '../domain/rule';

interface RuleRow {
  rule_id: string;
  revision: number;
  name: string;
  scope: RuleScope;
  kind: RuleDefinition['type'];
  params: Record<string, unknown>;
  enabled: boolean;
  deleted: boolean;
  changed_by: string;
  changed_at: Date;
  change_reason: string;
}

const toDomain = (r: RuleRow): Rule => ({
  ruleId: r.rule_id,
  revision: r.revision,
  name: r.name,
  scope: r.scope,
  definition: { type: r.kind, ...r.params } as RuleDefinition,
  enabled: r.enabled,
  changedBy: r.changed_by,
  changedAt: r.changed_at,
  changeReason: r.change_reason,
});

/** Rules with every revision kept in rule_history (who changed what, when and why). */
@Injectable()
export class RuleRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(m: EntityManager, ruleId: string, forUpdate = false): Promise<(Rule & { deleted: boolean }) | undefined> {
    const rows: RuleRow[] = await m.query(`SELECT * FROM rule WHERE rule_id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`, [
      ruleId,
    ]);
    return rows[0] ? { ...toDomain(rows[0]), deleted: rows[0].deleted } : undefined;
  }

  async save(m: EntityManager, rule: Rule, action: RuleAction): Promise<void> {
    const { type, ...params } = rule.definition;
    await m.query(
      `INSERT INTO rule (rule_id, revision, name, scope, kind, params, enabled, deleted, changed_by, changed_at, change_reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (rule_id) DO UPDATE SET revision = EXCLUDED.revision, name = EXCLUDED.name, scope = EXCLUDED.scope,
         kind = EXCLUDED.kind, params = EXCLUDED.params, enabled = EXCLUDED.enabled, deleted = EXCLUDED.deleted,
         changed_by = EXCLUDED.changed_by, changed_at = EXCLUDED.changed_at, change_reason = EXCLUDED.change_reason`,
      [
        rule.ruleId,
        rule.revision,
        rule.name,
        JSON.stringify(rule.scope),
        type,
        JSON.stringify(params),
        rule.enabled,
        action === 'deleted',
        rule.changedBy,
        rule.changedAt,
        rule.changeReason,
      ],
    );
    await m.query(
      `INSERT INTO rule_history (rule_id, revision, action, snapshot, actor, at, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [rule.ruleId, rule.revision, action, JSON.stringify(rule), rule.changedBy, rule.changedAt, rule.changeReason],
    );
  }

  /** Live rules, newest change first; `includeDisabled` adds switched-off ones (never deleted ones). */
  async list(includeDisabled: boolean, limit: number, offset: number): Promise<Rule[]> {
    const rows: RuleRow[] = await this.dataSource.query(
      `SELECT * FROM rule WHERE NOT deleted AND ($1 OR enabled) ORDER BY changed_at DESC, rule_id LIMIT $2 OFFSET $3`,
      [includeDisabled, limit, offset],
    );
    return rows.map(toDomain);
  }

  async history(ruleId: string): Promise<RuleHistoryEntry[]> {
    const rows: { revision: number; action: RuleAction; snapshot: Rule; actor: string; at: Date; reason: string }[] =
      await this.dataSource.query(`SELECT * FROM rule_history WHERE rule_id = $1 ORDER BY revision`, [ruleId]);
    return rows.map((r) => ({
      ...r,
      snapshot: { ...r.snapshot, changedAt: new Date(r.snapshot.changedAt) },
      at: r.at,
    }));
  }

  /** Every enabled rule, for a computation. */
  async active(): Promise<Rule[]> {
    const rows: RuleRow[] = await this.dataSource.query(`SELECT * FROM rule WHERE enabled AND NOT deleted`);
    return rows.map(toDomain);
  }
}
