import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { TrainingSnapshot } from '../domain/training-snapshot';
import type { CandidateResult } from '../domain/run';
import { decodeSnapshot, encodeSnapshot } from './training-snapshot.codec';

/** A fitted candidate as checkpointed: its artifact, its result (metrics on the run's holdout) and model id. */
export interface CandidateCheckpoint {
  index: number;
  artifact: Buffer;
  result: CandidateResult;
}

/**
 * What a run has finished, durably: the fetched training set (so a resume neither refetches nor sees other rows)
 * and each fitted candidate (so a resume skips it). Written right after each step; deleted when the run succeeds.
 */
@Injectable()
export class CheckpointRepository {
  constructor(private readonly dataSource: DataSource) {}

  async saveTrainingSet(runId: string, snapshot: TrainingSnapshot): Promise<void> {
    await this.save(runId, 'training_set', '', encodeSnapshot(snapshot), {
      snapshotId: snapshot.snapshotId,
      rows: snapshot.user.length,
    });
  }

  async trainingSet(runId: string): Promise<TrainingSnapshot | undefined> {
    const rows: { payload: Buffer }[] = await this.dataSource.query(
      `SELECT payload FROM training_run_checkpoint WHERE run_id = $1 AND kind = 'training_set'`,
      [runId],
    );
    return rows[0] ? decodeSnapshot(rows[0].payload) : undefined;
  }

  async saveCandidate(runId: string, c: CandidateCheckpoint): Promise<void> {
    await this.save(runId, 'candidate', String(c.index), c.artifact, { result: c.result });
  }

  async candidates(runId: string): Promise<CandidateCheckpoint[]> {
    const rows: { key: string; payload: Buffer; meta: { result: CandidateResult } }[] = await this.dataSource.query(
      `SELECT key, payload, meta FROM training_run_checkpoint WHERE run_id = $1 AND kind = 'candidate'`,
      [runId],
    );
    return rows.map((r) => ({ index: Number(r.key), artifact: r.payload, result: r.meta.result }));
  }

  async clear(runId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM training_run_checkpoint WHERE run_id = $1`, [runId]);
  }

  private async save(runId: string, kind: string, key: string, payload: Buffer, meta: object): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO training_run_checkpoint (run_id, kind, key, payload, meta) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (run_id, kind, key) DO UPDATE SET payload = EXCLUDED.payload, meta = EXCLUDED.meta, created_at = now()`,
      [runId, kind, key, payload, JSON.stringify(meta)],
    );
  }
}
