import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { RecordKind } from '../domain';
import type { ImportFormat } from './import';
import type { IngestTransaction } from './record.repository';

export type ImportJobState = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface ImportCounts {
  rowsRead: number;
  accepted: number;
  duplicates: number;
  quarantined: number;
  skipped: number;
  /** Skipped rows by reason, e.g. NON_PRODUCT. */
  skippedByReason: Record<string, number>;
  returns: number;
  anonymousRows: number;
}

export interface ImportJobOptions {
  columnMapping?: Record<string, string>;
  defaultStoreId?: string;
  timeZone?: string;
}

export interface ImportJob {
  jobId: string;
  format: ImportFormat;
  kind?: RecordKind;
  sourceUri: string;
  options: ImportJobOptions;
  state: ImportJobState;
  bytesRead: number;
  fileSize: number;
  checkpointOffset: number;
  checkpointRow: number;
  counts: ImportCounts;
  unitsPerSecond: number;
  resumeCount: number;
  errorMessage: string;
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
  /** Last write by the process running it (every checkpoint). */
  updatedAt: Date;
}

export const EMPTY_COUNTS: ImportCounts = {
  rowsRead: 0,
  accepted: 0,
  duplicates: 0,
  quarantined: 0,
  skipped: 0,
  skippedByReason: {},
  returns: 0,
  anonymousRows: 0,
};

/** Held by the process running a job; `release` when the run ends. */
export interface JobLock {
  release(): Promise<void>;
}

/** First key of the jobs' advisory locks (the second is the job id's hash), apart from other locks. */
const IMPORT_JOB_LOCK_CLASS = 0x1_4a0b;

interface Row {
  job_id: string;
  format: ImportFormat;
  kind: RecordKind | null;
  source_uri: string;
  options: ImportJobOptions;
  state: ImportJobState;
  bytes_read: string;
  file_size: string;
  checkpoint_offset: string;
  checkpoint_row: string;
  counts: Partial<ImportCounts>;
  units_per_second: number;
  resume_count: number;
  error_message: string;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  updated_at: Date;
  seq: string;
}

function toJob(r: Row): ImportJob {
  return {
    jobId: r.job_id,
    format: r.format,
    kind: r.kind ?? undefined,
    sourceUri: r.source_uri,
    options: r.options,
    state: r.state,
    bytesRead: Number(r.bytes_read),
    fileSize: Number(r.file_size),
    checkpointOffset: Number(r.checkpoint_offset),
    checkpointRow: Number(r.checkpoint_row),
    counts: { ...EMPTY_COUNTS, ...r.counts },
    unitsPerSecond: r.units_per_second,
    resumeCount: r.resume_count,
    errorMessage: r.error_message,
    createdAt: r.created_at,
    startedAt: r.started_at ?? undefined,
    finishedAt: r.finished_at ?? undefined,
    updatedAt: r.updated_at,
  };
}

/** Import jobs and their checkpoints. */
@Injectable()
export class ImportJobRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(jobId: string): Promise<ImportJob | undefined> {
    const [row] = (await this.dataSource.query(`SELECT * FROM import_job WHERE job_id = $1`, [jobId])) as Row[];
    return row ? toJob(row) : undefined;
  }

  async create(job: Pick<ImportJob, 'jobId' | 'format' | 'kind' | 'sourceUri' | 'options'>): Promise<ImportJob> {
    const [row] = (await this.dataSource.query(
      `INSERT INTO import_job (job_id, format, kind, source_uri, options, state, counts)
       VALUES ($1, $2, $3, $4, $5, 'pending', $6) RETURNING *`,
      [
        job.jobId,
        job.format,
        job.kind ?? null,
        job.sourceUri,
        JSON.stringify(job.options),
        JSON.stringify(EMPTY_COUNTS),
      ],
    )) as Row[];
    return toJob(row);
  }

  /**
   * Takes the job's session-level advisory lock on a connection of its own, or returns undefined when
   * another process holds it. The process running a job holds the lock for the job's whole run; when
   * that process dies, PostgreSQL ends its session and the lock goes with it, so a crashed job can be
   * resumed at once and a live one never twice. (Ids are hashed to 32 bits: a collision only refuses
   * one of two jobs while the other runs.)
   */
  async lock(jobId: string): Promise<JobLock | undefined> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    let held = false;
    try {
      const [row] = (await runner.query(`SELECT pg_try_advisory_lock($1, hashtext($2)) AS held`, [
        IMPORT_JOB_LOCK_CLASS,
        jobId,
      ])) as {
        held: boolean;
      }[];
      held = row?.held === true;
    } finally {
      if (!held) await runner.release();
    }
    if (!held) return undefined;
    return {
      release: async () => {
        // A broken connection has lost the lock already; only a live one needs the unlock.
        await runner
          .query(`SELECT pg_advisory_unlock($1, hashtext($2))`, [IMPORT_JOB_LOCK_CLASS, jobId])
          .catch(() => undefined);
        await runner.release();
      },
    };
  }

  /**
   * Moves a job to running unless it succeeded; the caller holds the job's lock, so a job still marked
   * running was left so by a process that died. `resumed` counts a restart; the new resume count is the
   * run's fencing token for `checkpoint`.
   */
  async markRunning(jobId: string, resumed: boolean): Promise<ImportJob | undefined> {
    const [rows] = (await this.dataSource.query(
      `UPDATE import_job SET state = 'running', started_at = now(), finished_at = NULL, error_message = '',
              resume_count = resume_count + $2, updated_at = now()
        WHERE job_id = $1 AND state IN ('pending', 'running', 'failed', 'cancelled')
        RETURNING *`,
      [jobId, resumed ? 1 : 0],
    )) as [Row[], number];
    return rows[0] ? toJob(rows[0]) : undefined;
  }

  /**
   * Moves the checkpoint in the batch's own transaction. Fails (rolling the batch back) when the job is
   * no longer running here: it was cancelled, or another run took it over (`run` is the resume count
   * that `markRunning` gave this run).
   */
  async checkpoint(
    tx: IngestTransaction,
    jobId: string,
    run: number,
    progress: {
      offset: number;
      row: number;
      bytesRead: number;
      fileSize: number;
      counts: ImportCounts;
      unitsPerSecond: number;
    },
  ): Promise<boolean> {
    const [rows] = (await tx.manager.query(
      `UPDATE import_job SET checkpoint_offset = $2, checkpoint_row = $3, bytes_read = $4, file_size = $5, counts = $6,
              units_per_second = $7, updated_at = now()
        WHERE job_id = $1 AND state = 'running' AND resume_count = $8 RETURNING job_id`,
      [
        jobId,
        progress.offset,
        progress.row,
        progress.bytesRead,
        progress.fileSize,
        JSON.stringify(progress.counts),
        progress.unitsPerSecond,
        run,
      ],
    )) as [Row[], number];
    return rows.length > 0;
  }

  async finish(
    jobId: string,
    state: 'succeeded' | 'failed' | 'cancelled',
    errorMessage = '',
  ): Promise<ImportJob | undefined> {
    const [rows] = (await this.dataSource.query(
      `UPDATE import_job SET state = $2, error_message = $3, finished_at = now(), updated_at = now()
        WHERE job_id = $1 AND state IN ('pending', 'running') RETURNING *`,
      [jobId, state, errorMessage],
    )) as [Row[], number];
    return rows[0] ? toJob(rows[0]) : this.find(jobId);
  }

  async list(
    state: ImportJobState | undefined,
    page: { size: number; after?: number },
  ): Promise<{ jobs: ImportJob[]; next?: number }> {
    const params: unknown[] = [];
    const clauses: string[] = [];
    if (state) {
      params.push(state);
      clauses.push(`state = $${params.length}`);
    }
    if (page.after !== undefined) {
      params.push(page.after);
      clauses.push(`seq < $${params.length}`);
    }
    params.push(page.size + 1);
    const rows = (await this.dataSource.query(
      `SELECT * FROM import_job ${clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT $${params.length}`,
      params,
    )) as Row[];
    const shown = rows.slice(0, page.size);
    return { jobs: shown.map(toJob), next: rows.length > page.size ? Number(shown[shown.length - 1].seq) : undefined };
  }
}
