import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Computation, ComputationScope, ComputationState, PairFailure } from '../domain/computation';

interface Row {
  computation_id: string;
  request_id: string | null;
  scope: ComputationScope;
  state: ComputationState;
  stage: string;
  done: string;
  total: string;
  units_per_second: number;
  suggestion_count: string;
  failed_count: string;
  failures: PairFailure[];
  error_message: string;
  requested_by: string;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const toDomain = (r: Row): Computation => ({
  computationId: r.computation_id,
  requestId: r.request_id ?? undefined,
  scope: r.scope,
  state: r.state,
  stage: r.stage,
  done: Number(r.done),
  total: Number(r.total),
  unitsPerSecond: r.units_per_second,
  suggestionCount: Number(r.suggestion_count),
  failedCount: Number(r.failed_count),
  failures: r.failures,
  errorMessage: r.error_message,
  requestedBy: r.requested_by,
  createdAt: r.created_at,
  startedAt: r.started_at ?? undefined,
  finishedAt: r.finished_at ?? undefined,
});

export interface ComputationProgress {
  stage: string;
  done: number;
  total: number;
  unitsPerSecond: number;
  suggestionCount: number;
  failedCount: number;
  failures: PairFailure[];
}

/** Computations and their progress; each write is its own short statement, readable while the run goes on. */
@Injectable()
export class ComputationRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Creates a pending computation, or returns the one created earlier with the same request id (and false). */
  async createOnce(c: Computation): Promise<{ computation: Computation; created: boolean }> {
    const inserted: Row[] = await this.dataSource.query(
      `INSERT INTO computation (computation_id, request_id, scope, state, stage, requested_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (request_id) DO NOTHING RETURNING *`,
      [c.computationId, c.requestId ?? null, JSON.stringify(c.scope), c.state, c.stage, c.requestedBy, c.createdAt],
    );
    if (inserted[0]) return { computation: toDomain(inserted[0]), created: true };
    const existing: Row[] = await this.dataSource.query(`SELECT * FROM computation WHERE request_id = $1`, [
      c.requestId,
    ]);
    return { computation: toDomain(existing[0]), created: false };
  }

  async find(computationId: string): Promise<Computation | undefined> {
    const rows: Row[] = await this.dataSource.query(`SELECT * FROM computation WHERE computation_id = $1`, [
      computationId,
    ]);
    return rows[0] ? toDomain(rows[0]) : undefined;
  }

  async start(computationId: string, total: number, at: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE computation SET state = 'running', stage = 'forecasting', total = $2, started_at = $3
        WHERE computation_id = $1`,
      [computationId, total, at],
    );
  }

  async progress(computationId: string, p: ComputationProgress): Promise<void> {
    await this.dataSource.query(
      `UPDATE computation SET stage = $2, done = $3, total = $4, units_per_second = $5, suggestion_count = $6,
         failed_count = $7, failures = $8 WHERE computation_id = $1`,
      [
        computationId,
        p.stage,
        p.done,
        p.total,
        p.unitsPerSecond,
        p.suggestionCount,
        p.failedCount,
        JSON.stringify(p.failures),
      ],
    );
  }

  async finish(computationId: string, state: 'succeeded' | 'failed', errorMessage: string, at: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE computation SET state = $2, stage = CASE WHEN $2 = 'succeeded' THEN 'done' ELSE stage END,
         error_message = $3, finished_at = $4 WHERE computation_id = $1`,
      [computationId, state, errorMessage, at],
    );
  }

  /** Computations a stopped process left pending or running: they will never finish, so they fail. */
  async failUnfinished(message: string, at: Date): Promise<number> {
    const [, count]: [unknown[], number] = await this.dataSource.query(
      `UPDATE computation SET state = 'failed', error_message = $1, finished_at = $2
        WHERE state IN ('pending', 'running')`,
      [message, at],
    );
    return count;
  }
}
