import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Experiment, ExperimentState, ExperimentVariant } from '../domain/experiment';

type Q = Pick<EntityManager, 'query'>;

interface ExperimentRow {
  id: string;
  name: string;
  description: string;
  placements: string[];
  variants: ExperimentVariant[];
  state: ExperimentState;
  created_at: Date;
  started_at: Date | null;
  stopped_at: Date | null;
}

const COLUMNS = 'id, name, description, placements, variants, state, created_at, started_at, stopped_at';

function fromRow(r: ExperimentRow): Experiment {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    placements: r.placements,
    // jsonb drops undefined members, so the stored variants read back as they were written.
    variants: r.variants,
    state: r.state,
    createdAt: r.created_at,
    startedAt: r.started_at ?? undefined,
    stoppedAt: r.stopped_at ?? undefined,
  };
}

/** Position in the newest-first listing. */
export interface ListCursor {
  readonly createdAt: Date;
  readonly id: string;
}

export interface AssignmentRecord {
  readonly experimentId: string;
  readonly variantId: string;
  readonly subjectHash: string;
  readonly at: Date;
}

/** Counters of one variant as stored. */
export interface VariantMetrics {
  readonly variantId: string;
  readonly impressions: number;
  readonly clicks: number;
  readonly conversions: number;
  readonly revenueMinor: number;
  readonly revenueSq: number;
  readonly currency?: string;
}

/** What a batch of feedback adds to one variant. */
export interface MetricDelta extends VariantMetrics {
  readonly experimentId: string;
}

/** Experiments, assignments and feedback counters. Writes in a transaction take its EntityManager. */
@Injectable()
export class ExperimentRepository {
  constructor(readonly dataSource: DataSource) {}

  /** Stores a new experiment; false if the id is taken. */
  async insert(e: Experiment): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `INSERT INTO experiment (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [
        e.id,
        e.name,
        e.description,
        e.placements,
        JSON.stringify(e.variants),
        e.state,
        e.createdAt,
        e.startedAt ?? null,
        e.stoppedAt ?? null,
      ],
    )) as { id: string }[];
    return rows.length === 1;
  }

  async get(id: string): Promise<Experiment | undefined> {
    const rows = (await this.dataSource.query(`SELECT ${COLUMNS} FROM experiment WHERE id = $1`, [
      id,
    ])) as ExperimentRow[];
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  /**
   * Saves a state change if the experiment is still in `from` (compare-and-set, so two replicas
   * racing to start or stop cannot both win); false if it was not.
   */
  async saveTransition(e: Experiment, from: ExperimentState): Promise<boolean> {
    const rows = (await this.dataSource.query(
      // In a CTE: TypeORM returns [rows, count] for a bare UPDATE.
      `WITH changed AS (
         UPDATE experiment SET state = $2, started_at = $3, stopped_at = $4 WHERE id = $1 AND state = $5 RETURNING id
       ) SELECT id FROM changed`,
      [e.id, e.state, e.startedAt ?? null, e.stoppedAt ?? null, from],
    )) as { id: string }[];
    return rows.length === 1;
  }

  /** Newest first, `limit` rows after the cursor. */
  async list(options: { state?: ExperimentState; limit: number; after?: ListCursor }): Promise<Experiment[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM experiment
        WHERE ($1::text IS NULL OR state = $1)
          AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::text))
        ORDER BY created_at DESC, id DESC
        LIMIT $4`,
      [options.state ?? null, options.after?.createdAt ?? null, options.after?.id ?? null, options.limit],
    )) as ExperimentRow[];
    return rows.map(fromRow);
  }

  /** Running experiments, oldest started first (the order in which they claim traffic). */
  async running(): Promise<Experiment[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM experiment WHERE state = 'running' ORDER BY started_at, id`,
    )) as ExperimentRow[];
    return rows.map(fromRow);
  }

  /** Experiments by id, for attributing feedback (within the counting transaction). */
  async findMany(q: Q, ids: readonly string[]): Promise<Experiment[]> {
    if (ids.length === 0) return [];
    const rows = (await q.query(`SELECT ${COLUMNS} FROM experiment WHERE id = ANY($1::text[])`, [
      ids,
    ])) as ExperimentRow[];
    return rows.map(fromRow);
  }

  // ---------------------------------------------------------------- assignments

  /** Records first sightings; later ones of the same subject change nothing. */
  async recordAssignments(records: readonly AssignmentRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO experiment_assignment (experiment_id, subject_hash, variant_id, first_seen_at)
       SELECT e, h, v, a FROM json_to_recordset($1::json) AS x(e text, h text, v text, a timestamptz)
       ON CONFLICT DO NOTHING`,
      [
        JSON.stringify(
          records.map((r) => ({ e: r.experimentId, h: r.subjectHash, v: r.variantId, a: r.at.toISOString() })),
        ),
      ],
    );
  }

  /** Distinct subjects assigned, per variant. */
  async assignedCounts(experimentId: string): Promise<Map<string, number>> {
    const rows = (await this.dataSource.query(
      `SELECT variant_id, count(*) AS n FROM experiment_assignment WHERE experiment_id = $1 GROUP BY variant_id`,
      [experimentId],
    )) as { variant_id: string; n: string }[];
    return new Map(rows.map((r) => [r.variant_id, Number(r.n)]));
  }

  // ---------------------------------------------------------------- feedback

  /** Claims event ids for counting; returns the ones not counted before. */
  async claimEvents(q: Q, eventIds: readonly string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    const rows = (await q.query(
      `INSERT INTO experiment_feedback_event (event_id) SELECT unnest($1::text[])
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [eventIds],
    )) as { event_id: string }[];
    return new Set(rows.map((r) => r.event_id));
  }

  /** Currencies already fixed for some variants, locking their rows for the batch. */
  async lockCurrencies(
    q: Q,
    keys: readonly { experimentId: string; variantId: string }[],
  ): Promise<Map<string, string>> {
    if (keys.length === 0) return new Map();
    const rows = (await q.query(
      `SELECT m.experiment_id, m.variant_id, m.currency
         FROM unnest($1::text[], $2::text[]) AS k(e, v)
         JOIN experiment_metric m ON m.experiment_id = k.e AND m.variant_id = k.v
        ORDER BY m.experiment_id, m.variant_id
          FOR UPDATE OF m`,
      [keys.map((k) => k.experimentId), keys.map((k) => k.variantId)],
    )) as { experiment_id: string; variant_id: string; currency: string | null }[];
    return new Map(
      rows.filter((r) => r.currency !== null).map((r) => [metricKey(r.experiment_id, r.variant_id), r.currency!]),
    );
  }

  async addMetrics(q: Q, deltas: readonly MetricDelta[]): Promise<void> {
    if (deltas.length === 0) return;
    await q.query(
      `INSERT INTO experiment_metric
              (experiment_id, variant_id, impressions, clicks, conversions, revenue_minor, revenue_sq, currency)
       SELECT e, v, i, c, p, r, rs, cur
         FROM json_to_recordset($1::json) AS x(e text, v text, i bigint, c bigint, p bigint, r bigint, rs numeric, cur text)
       ON CONFLICT (experiment_id, variant_id) DO UPDATE SET
         impressions = experiment_metric.impressions + EXCLUDED.impressions,
         clicks = experiment_metric.clicks + EXCLUDED.clicks,
         conversions = experiment_metric.conversions + EXCLUDED.conversions,
         revenue_minor = experiment_metric.revenue_minor + EXCLUDED.revenue_minor,
         revenue_sq = experiment_metric.revenue_sq + EXCLUDED.revenue_sq,
         currency = coalesce(experiment_metric.currency, EXCLUDED.currency),
         updated_at = now()`,
      [
        JSON.stringify(
          deltas.map((d) => ({
            e: d.experimentId,
            v: d.variantId,
            i: d.impressions,
            c: d.clicks,
            p: d.conversions,
            r: d.revenueMinor,
            // As text: a square of minor units can exceed 2^53.
            rs: BigInt(Math.round(d.revenueSq)).toString(),
            cur: d.currency ?? null,
          })),
        ),
      ],
    );
  }

  async metrics(experimentId: string): Promise<Map<string, VariantMetrics>> {
    const rows = (await this.dataSource.query(
      `SELECT variant_id, impressions, clicks, conversions, revenue_minor, revenue_sq::text AS revenue_sq, currency
         FROM experiment_metric WHERE experiment_id = $1`,
      [experimentId],
    )) as {
      variant_id: string;
      impressions: string;
      clicks: string;
      conversions: string;
      revenue_minor: string;
      revenue_sq: string;
      currency: string | null;
    }[];
    return new Map(
      rows.map((r) => [
        r.variant_id,
        {
          variantId: r.variant_id,
          impressions: Number(r.impressions),
          clicks: Number(r.clicks),
          conversions: Number(r.conversions),
          revenueMinor: Number(r.revenue_minor),
          revenueSq: Number(r.revenue_sq),
          currency: r.currency ?? undefined,
        },
      ]),
    );
  }

  /** Forgets counted event ids older than the longest redelivery could be; returns how many. */
  async pruneFeedbackEvents(olderThan: Date): Promise<number> {
    const rows = (await this.dataSource.query(
      `WITH gone AS (DELETE FROM experiment_feedback_event WHERE counted_at < $1 RETURNING 1) SELECT count(*) AS n FROM gone`,
      [olderThan],
    )) as { n: string }[];
    return Number(rows[0]?.n ?? 0);
  }
}

export function metricKey(experimentId: string, variantId: string): string {
  return `${experimentId}\u001f${variantId}`;
}
