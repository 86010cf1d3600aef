import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type {
  CandidateResult,
  DataWindow,
  PromotionDecision,
  Run,
  RunProgress,
  RunSpec,
  RunState,
  RunTrigger,
} from '../domain/run';

interface Row {
  run_id: string;
  request_id: string | null;
  state: RunState;
  trigger: RunTrigger;
  requested_by: string;
  spec: StoredSpec;
  data_window: StoredWindow | null;
  stage: string;
  done: string;
  total: string;
  units_per_second: number;
  results: CandidateResult[];
  promotion: PromotionDecision | null;
  resume_count: number;
  error_message: string;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

type StoredSpec = Omit<RunSpec, 'trainingSet'> & {
  trainingSet: Omit<RunSpec['trainingSet'], 'asOf' | 'windowStart'> & { asOf: string; windowStart?: string };
};
type StoredWindow = Omit<DataWindow, 'asOf' | 'windowStart'> & { asOf: string; windowStart?: string };

const toDomain = (r: Row): Run => ({
  runId: r.run_id,
  requestId: r.request_id ?? undefined,
  state: r.state,
  trigger: r.trigger,
  requestedBy: r.requested_by,
  spec: {
    ...r.spec,
    trainingSet: {
      ...r.spec.trainingSet,
      asOf: new Date(r.spec.trainingSet.asOf),
      windowStart: r.spec.trainingSet.windowStart ? new Date(r.spec.trainingSet.windowStart) : undefined,
    },
  },
  dataWindow: r.data_window ? windowFromJson(r.data_window) : undefined,
  progress: { stage: r.stage, done: Number(r.done), total: Number(r.total), unitsPerSecond: r.units_per_second },
  results: r.results,
  promotion: r.promotion ?? undefined,
  resumeCount: r.resume_count,
  errorMessage: r.error_message,
  createdAt: r.created_at,
  startedAt: r.started_at ?? undefined,
  finishedAt: r.finished_at ?? undefined,
});

export function windowToJson(w: DataWindow): StoredWindow {
  return { ...w, asOf: w.asOf.toISOString(), windowStart: w.windowStart?.toISOString() };
}

export function windowFromJson(w: StoredWindow): DataWindow {
  return { ...w, asOf: new Date(w.asOf), windowStart: w.windowStart ? new Date(w.windowStart) : undefined };
}

/** TypeORM answers an UPDATE … RETURNING on PostgreSQL with [rows, affected count]; the rows, then. */
async function updateReturning<T>(manager: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const [rows] = (await manager.query(sql, params)) as [T[], number];
  return rows;
}

export interface NewRun {
  runId: string;
  requestId?: string;
  trigger: RunTrigger;
  requestedBy: string;
  spec: RunSpec;
  createdAt: Date;
}

/** Runs, their progress and results. Writes of a running run are guarded by its state, so a cancel wins. */
@Injectable()
export class RunRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Creates a pending run, or returns the one with the same request id (created false). Creating a run resets
   * the new-events counter: the next "enough new data" run counts from here.
   */
  async createOnce(r: NewRun): Promise<{ run: Run; created: boolean }> {
    return this.dataSource.transaction(async (m) => {
      const spec: StoredSpec = {
        ...r.spec,
        trainingSet: {
          ...r.spec.trainingSet,
          asOf: r.spec.trainingSet.asOf.toISOString(),
          windowStart: r.spec.trainingSet.windowStart?.toISOString(),
        },
      };
      const inserted: Row[] = await m.query(
        `INSERT INTO training_run (run_id, request_id, state, trigger, requested_by, spec, created_at)
         VALUES ($1, $2, 'pending', $3, $4, $5, $6)
         ON CONFLICT (request_id) DO NOTHING RETURNING *`,
        [r.runId, r.requestId ?? null, r.trigger, r.requestedBy, JSON.stringify(spec), r.createdAt],
      );
      if (inserted[0]) {
        await m.query(
          `UPDATE training_trigger SET new_events = 0, since = $1, updated_at = now() WHERE name = 'new_events'`,
          [r.createdAt],
        );
        return { run: toDomain(inserted[0]), created: true };
      }
      const existing: Row[] = await m.query(`SELECT * FROM training_run WHERE request_id = $1`, [r.requestId]);
      return { run: toDomain(existing[0]), created: false };
    });
  }

  async find(runId: string, manager: EntityManager = this.dataSource.manager): Promise<Run | undefined> {
    const rows: Row[] = await manager.query(`SELECT * FROM training_run WHERE run_id = $1`, [runId]);
    return rows[0] ? toDomain(rows[0]) : undefined;
  }

  async list(state: RunState | undefined, limit: number, offset: number): Promise<Run[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT * FROM training_run WHERE ($1::text IS NULL OR state = $1)
        ORDER BY created_at DESC, run_id DESC LIMIT $2 OFFSET $3`,
      [state ?? null, limit, offset],
    );
    return rows.map(toDomain);
  }

  /** Runs that should be executing: queued, or running in a process that may have died (oldest first). */
  async active(limit = 20): Promise<string[]> {
    const rows: { run_id: string }[] = await this.dataSource.query(
      `SELECT run_id FROM training_run WHERE state IN ('pending', 'running') ORDER BY created_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.run_id);
  }

  async hasActive(): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM training_run WHERE state IN ('pending', 'running') LIMIT 1`,
    );
    return rows.length > 0;
  }

  /** Marks the run running; counts a resume when it had started before. Returns false if it is no longer active. */
  async start(runId: string, at: Date): Promise<boolean> {
    const rows: unknown[] = await updateReturning(
      this.dataSource.manager,
      `UPDATE training_run
          SET resume_count = resume_count + CASE WHEN started_at IS NULL THEN 0 ELSE 1 END,
              state = 'running', started_at = $2, error_message = '', finished_at = NULL
        WHERE run_id = $1 AND state IN ('pending', 'running') RETURNING 1`,
      [runId, at],
    );
    return rows.length > 0;
  }

  async progress(runId: string, p: RunProgress): Promise<void> {
    await this.dataSource.query(
      `UPDATE training_run SET stage = $2, done = $3, total = $4, units_per_second = $5
        WHERE run_id = $1 AND state = 'running'`,
      [runId, p.stage, p.done, p.total, p.unitsPerSecond],
    );
  }

  async setDataWindow(runId: string, w: DataWindow): Promise<void> {
    await this.dataSource.query(`UPDATE training_run SET data_window = $2 WHERE run_id = $1`, [
      runId,
      JSON.stringify(windowToJson(w)),
    ]);
  }

  async setResults(runId: string, results: CandidateResult[], manager: EntityManager = this.dataSource.manager) {
    await manager.query(`UPDATE training_run SET results = $2 WHERE run_id = $1`, [runId, JSON.stringify(results)]);
  }

  async setPromotion(runId: string, decision: PromotionDecision, manager: EntityManager = this.dataSource.manager) {
    await manager.query(`UPDATE training_run SET promotion = $2 WHERE run_id = $1`, [runId, JSON.stringify(decision)]);
  }

  /** Ends a running run; false when it was no longer running (cancelled meanwhile). */
  async finish(runId: string, state: 'succeeded' | 'failed', errorMessage: string, at: Date): Promise<boolean> {
    const rows: unknown[] = await updateReturning(
      this.dataSource.manager,
      `UPDATE training_run SET state = $2, stage = CASE WHEN $2 = 'succeeded' THEN 'done' ELSE stage END,
              error_message = $3, finished_at = $4
        WHERE run_id = $1 AND state = 'running' RETURNING 1`,
      [runId, state, errorMessage, at],
    );
    return rows.length > 0;
  }

  async cancel(runId: string, at: Date): Promise<boolean> {
    const rows: unknown[] = await updateReturning(
      this.dataSource.manager,
      `UPDATE training_run SET state = 'cancelled', finished_at = $2
        WHERE run_id = $1 AND state IN ('pending', 'running') RETURNING 1`,
      [runId, at],
    );
    return rows.length > 0;
  }

  /** Queues a failed or cancelled run again; it resumes from its checkpoint. */
  async requeue(runId: string): Promise<boolean> {
    const rows: unknown[] = await updateReturning(
      this.dataSource.manager,
      `UPDATE training_run SET state = 'pending', finished_at = NULL
        WHERE run_id = $1 AND state IN ('failed', 'cancelled') RETURNING 1`,
      [runId],
    );
    return rows.length > 0;
  }

  async isActive(runId: string): Promise<boolean> {
    const rows: { state: RunState }[] = await this.dataSource.query(
      `SELECT state FROM training_run WHERE run_id = $1`,
      [runId],
    );
    return rows[0]?.state === 'running' || rows[0]?.state === 'pending';
  }

  /**
   * Counts one consumed interaction event if it was stored after the last run was created (so a new durable
   * consumer replaying the stream's history does not count old events); returns the count since that run.
   */
  async countNewEvent(publishedAt: Date): Promise<number> {
    const rows: { new_events: string }[] = await updateReturning(
      this.dataSource.manager,
      `UPDATE training_trigger
          SET new_events = new_events + CASE WHEN since <= $1 THEN 1 ELSE 0 END, updated_at = now()
        WHERE name = 'new_events' RETURNING new_events`,
      [publishedAt],
    );
    return Number(rows[0]?.new_events ?? 0);
  }

  async latestRunId(): Promise<string | undefined> {
    const rows: { run_id: string }[] = await this.dataSource.query(
      `SELECT run_id FROM training_run ORDER BY created_at DESC, run_id DESC LIMIT 1`,
    );
    return rows[0]?.run_id;
  }
}
