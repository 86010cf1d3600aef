import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditEntry, Suggestion, SuggestionStatus } from '../domain/suggestion';

interface Row {
  suggestion_id: string;
  sku: string;
  store_id: string;
  status: SuggestionStatus;
  revision: number;
  policy: Suggestion['policy'];
  order_quantity: string;
  reorder_point: number;
  safety_stock: number;
  order_up_to_level: number;
  economic_order_quantity: number;
  inventory_position: number;
  on_hand: string;
  on_order: string;
  days_of_cover: number;
  stockout_probability: number;
  expected_units_short: number;
  excess_units: number;
  excess_value_minor: string;
  currency: string;
  target_service_level: number;
  lead_time_days: number;
  order_date: string;
  forecast_id: string | null;
  forecast_model: string;
  reasons: Suggestion['reasons'];
  computation_id: string | null;
  computed_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
  decision_reason: string | null;
  quantity_override: string | null;
}

const COLUMNS = `suggestion_id, sku, store_id, status, revision, policy, order_quantity, reorder_point, safety_stock,
  order_up_to_level, economic_order_quantity, inventory_position, on_hand, on_order, days_of_cover,
  stockout_probability, expected_units_short, excess_units, excess_value_minor, currency, target_service_level,
  lead_time_days, to_char(order_date, 'YYYY-MM-DD') AS order_date, forecast_id, forecast_model, reasons,
  computation_id, computed_at, decided_by, decided_at, decision_reason, quantity_override`;

const toDomain = (r: Row): Suggestion => ({
  suggestionId: r.suggestion_id,
  sku: r.sku,
  storeId: r.store_id,
  status: r.status,
  revision: r.revision,
  policy: r.policy,
  orderQuantity: Number(r.order_quantity),
  reorderPoint: r.reorder_point,
  safetyStock: r.safety_stock,
  orderUpToLevel: r.order_up_to_level,
  economicOrderQuantity: r.economic_order_quantity,
  inventoryPosition: r.inventory_position,
  onHand: Number(r.on_hand),
  onOrder: Number(r.on_order),
  daysOfCover: r.days_of_cover,
  stockoutProbability: r.stockout_probability,
  expectedUnitsShort: r.expected_units_short,
  excessUnits: r.excess_units,
  excessValueMinor: Number(r.excess_value_minor),
  currency: r.currency,
  targetServiceLevel: r.target_service_level,
  leadTimeDays: r.lead_time_days,
  orderDate: r.order_date,
  forecastId: r.forecast_id ?? undefined,
  forecastModel: r.forecast_model,
  reasons: r.reasons,
  computationId: r.computation_id ?? undefined,
  computedAt: r.computed_at,
  decision:
    r.decided_by && r.decided_at
      ? {
          actor: r.decided_by,
          decidedAt: r.decided_at,
          reason: r.decision_reason ?? '',
          ...(r.quantity_override !== null ? { quantityOverride: Number(r.quantity_override) } : {}),
        }
      : undefined,
});

const INSERT_COLUMNS = `suggestion_id, sku, store_id, status, revision, policy, order_quantity, reorder_point,
  safety_stock, order_up_to_level, economic_order_quantity, inventory_position, on_hand, on_order, days_of_cover,
  stockout_probability, expected_units_short, excess_units, excess_value_minor, currency, target_service_level,
  lead_time_days, order_date, forecast_id, forecast_model, reasons, computation_id, computed_at`;

const insertValues = (s: Suggestion): unknown[] => [
  s.suggestionId,
  s.sku,
  s.storeId,
  s.status,
  s.revision,
  s.policy,
  s.orderQuantity,
  s.reorderPoint,
  s.safetyStock,
  s.orderUpToLevel,
  s.economicOrderQuantity,
  s.inventoryPosition,
  s.onHand,
  s.onOrder,
  s.daysOfCover,
  s.stockoutProbability,
  s.expectedUnitsShort,
  s.excessUnits,
  s.excessValueMinor,
  s.currency,
  s.targetServiceLevel,
  s.leadTimeDays,
  s.orderDate,
  s.forecastId ?? null,
  s.forecastModel,
  JSON.stringify(s.reasons),
  s.computationId ?? null,
  s.computedAt,
];

/** Rows per multi-row INSERT: well below PostgreSQL's 65,535 parameters per statement. */
const ROWS_PER_INSERT = 1000;

/** `INSERT … VALUES (…), (…)` in chunks of ROWS_PER_INSERT rows; `rows` are the parameters of each row. */
export async function insertRows(m: EntityManager, head: string, rows: readonly unknown[][]): Promise<void> {
  for (let from = 0; from < rows.length; from += ROWS_PER_INSERT) {
    const chunk = rows.slice(from, from + ROWS_PER_INSERT);
    const params: unknown[] = [];
    const tuples = chunk.map((row) => {
      const first = params.length;
      params.push(...row);
      return `(${row.map((_, j) => `$${first + j + 1}`).join(',')})`;
    });
    await m.query(`${head} VALUES ${tuples.join(', ')}`, params);
  }
}

const auditRow = (suggestionId: string, a: AuditEntry): unknown[] => [
  suggestionId,
  a.revision,
  a.action,
  a.actor,
  a.at,
  a.reason,
];

export interface SuggestionQuery {
  storeId?: string;
  category?: string;
  skus?: string[];
  /** Undefined: proposed, accepted and rejected (superseded ones only when asked for). */
  status?: SuggestionStatus;
  orderNowOnly?: boolean;
  limit: number;
  offset: number;
}

@Injectable()
export class SuggestionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores a new proposal. The open proposal for the same SKU and store, if any, becomes superseded
   * (with an audit entry); returns it so the caller can announce the change.
   */
  async propose(m: EntityManager, s: Suggestion): Promise<Suggestion | undefined> {
    return (await this.proposeMany(m, [s]))[0];
  }

  /**
   * `propose` for many suggestions (of distinct SKU × store pairs) in a few statements whatever their number: the
   * same rows and audit entries. Returns, per suggestion in order, the open proposal it superseded, if any.
   */
  async proposeMany(m: EntityManager, list: readonly Suggestion[]): Promise<(Suggestion | undefined)[]> {
    if (list.length === 0) return [];
    const [old]: [Row[], number] = await m.query(
      `UPDATE suggestion SET status = 'superseded', revision = revision + 1
        WHERE status = 'proposed'
          AND (sku, store_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
        RETURNING ${COLUMNS}`,
      [list.map((s) => s.sku), list.map((s) => s.storeId)],
    );
    const byPair = new Map<string, Suggestion>();
    for (const r of old) {
      const key = `${r.store_id}\u0000${r.sku}`;
      if (!byPair.has(key)) byPair.set(key, toDomain(r));
    }
    const superseded = list.map((s) => byPair.get(`${s.storeId}\u0000${s.sku}`));
    await insertRows(m, `INSERT INTO suggestion (${INSERT_COLUMNS})`, list.map(insertValues));
    const audits: unknown[][] = [];
    list.forEach((s, i) => {
      const prev = superseded[i];
      if (prev) {
        audits.push(
          auditRow(prev.suggestionId, {
            action: 'superseded',
            actor: 'system',
            at: s.computedAt,
            reason: `replaced by ${s.suggestionId}`,
            revision: prev.revision,
          }),
        );
      }
      audits.push(
        auditRow(s.suggestionId, {
          action: 'proposed',
          actor: 'system',
          at: s.computedAt,
          reason: s.reasons.map((r) => r.text).join(' '),
          revision: s.revision,
        }),
      );
    });
    await insertRows(m, `INSERT INTO suggestion_audit (suggestion_id, revision, action, actor, at, reason)`, audits);
    return superseded;
  }

  async find(m: EntityManager | DataSource, suggestionId: string, forUpdate = false): Promise<Suggestion | undefined> {
    const rows: Row[] = await m.query(
      `SELECT ${COLUMNS} FROM suggestion WHERE suggestion_id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`,
      [suggestionId],
    );
    return rows[0] ? toDomain(rows[0]) : undefined;
  }

  /** Writes a decision taken by the domain, with its audit entry, in the caller's transaction. */
  async saveDecision(m: EntityManager, s: Suggestion, audit: AuditEntry): Promise<void> {
    await m.query(
      `UPDATE suggestion SET status = $2, revision = $3, decided_by = $4, decided_at = $5, decision_reason = $6,
         quantity_override = $7 WHERE suggestion_id = $1`,
      [
        s.suggestionId,
        s.status,
        s.revision,
        s.decision?.actor ?? null,
        s.decision?.decidedAt ?? null,
        s.decision?.reason ?? null,
        s.decision?.quantityOverride ?? null,
      ],
    );
    await this.audit(m, s.suggestionId, audit);
  }

  async auditTrail(suggestionId: string): Promise<AuditEntry[]> {
    return this.dataSource.query(
      `SELECT action, actor, at, reason, revision FROM suggestion_audit WHERE suggestion_id = $1 ORDER BY revision`,
      [suggestionId],
    );
  }

  async list(q: SuggestionQuery): Promise<{ items: Suggestion[]; total: number }> {
    const where = `WHERE ($1::text IS NULL OR s.store_id = $1)
        AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM item i WHERE i.sku = s.sku AND $2 = ANY(i.categories)))
        AND (cardinality($3::text[]) = 0 OR s.sku = ANY($3::text[]))
        AND (($4::text IS NULL AND s.status <> 'superseded') OR s.status = $4)
        AND (NOT $5 OR s.order_quantity > 0)`;
    const params = [q.storeId || null, q.category || null, q.skus ?? [], q.status ?? null, q.orderNowOnly ?? false];
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM suggestion s ${where}
        ORDER BY s.stockout_probability DESC, s.store_id, s.sku, s.computed_at DESC LIMIT $6 OFFSET $7`,
      [...params, q.limit, q.offset],
    );
    const total: { n: string }[] = await this.dataSource.query(
      `SELECT count(*) AS n FROM suggestion s ${where}`,
      params,
    );
    return { items: rows.map(toDomain), total: Number(total[0].n) };
  }

  private async audit(m: EntityManager, suggestionId: string, a: AuditEntry): Promise<void> {
    await m.query(
      `INSERT INTO suggestion_audit (suggestion_id, revision, action, actor, at, reason) VALUES ($1, $2, $3, $4, $5, $6)`,
      [suggestionId, a.revision, a.action, a.actor, a.at, a.reason],
    );
  }
}
