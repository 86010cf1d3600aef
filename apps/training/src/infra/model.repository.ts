import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { ModelStatus, ModelVersion } from '../domain/model-version';
import type { EvaluationSpec, MetricValue, ParamValue, PromotionDecision } from '../domain/run';
import { windowFromJson, windowToJson } from './run.repository';

interface Row {
  model_id: string;
  version: string;
  algorithm: string;
  params: Record<string, ParamValue>;
  data_window: Parameters<typeof windowFromJson>[0];
  evaluation: EvaluationSpec;
  holdout_id: string;
  metrics: MetricValue[];
  status: ModelStatus;
  artifact_uri: string;
  artifact_sha256: string;
  artifact_size: string;
  artifact_content_type: string;
  artifact_format_version: number;
  run_id: string;
  fit_seconds: number;
  created_at: Date;
  promoted_at: Date | null;
}

const toDomain = (r: Row): ModelVersion => ({
  modelId: r.model_id,
  version: Number(r.version),
  algorithm: r.algorithm,
  params: r.params,
  dataWindow: windowFromJson(r.data_window),
  evaluation: r.evaluation,
  holdoutId: r.holdout_id,
  metrics: r.metrics,
  status: r.status,
  artifact: {
    uri: r.artifact_uri,
    sha256: r.artifact_sha256,
    sizeBytes: Number(r.artifact_size),
    contentType: r.artifact_content_type,
    formatVersion: r.artifact_format_version,
  },
  runId: r.run_id,
  fitSeconds: r.fit_seconds,
  createdAt: r.created_at,
  promotedAt: r.promoted_at ?? undefined,
});

export type NewModel = Omit<ModelVersion, 'version' | 'status' | 'promotedAt'> & { candidateIndex: number };

export interface ModelFilter {
  status?: ModelStatus;
  algorithm?: string;
  runId?: string;
}

export interface PromotionRecord {
  modelId: string;
  previousModelId?: string;
  reason: NonNullable<PromotionDecision['eventReason']>;
  decision: PromotionDecision;
  requestedBy: string;
  note: string;
  at: Date;
}

/** The model registry. Versions come from a sequence: global, increasing by one per registered model. */
@Injectable()
export class ModelRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Registers a model; a model of the same run and candidate (a resumed run) is returned instead. */
  async register(m: NewModel, manager: EntityManager = this.dataSource.manager): Promise<ModelVersion> {
    const inserted: Row[] = await manager.query(
      `INSERT INTO model_version (model_id, algorithm, params, data_window, evaluation, holdout_id, metrics, status,
         artifact_uri, artifact_sha256, artifact_size, artifact_content_type, artifact_format_version,
         run_id, candidate_index, fit_seconds, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'registered', $8, $9, $10, $11, $12, $13, $14, $15, $16)
       ON CONFLICT (run_id, candidate_index) DO NOTHING RETURNING *`,
      [
        m.modelId,
        m.algorithm,
        JSON.stringify(m.params),
        JSON.stringify(windowToJson(m.dataWindow)),
        JSON.stringify(m.evaluation),
        m.holdoutId,
        JSON.stringify(m.metrics),
        m.artifact.uri,
        m.artifact.sha256,
        m.artifact.sizeBytes,
        m.artifact.contentType,
        m.artifact.formatVersion,
        m.runId,
        m.candidateIndex,
        m.fitSeconds,
        m.createdAt,
      ],
    );
    const row =
      inserted[0] ??
      (
        (await manager.query(`SELECT * FROM model_version WHERE run_id = $1 AND candidate_index = $2`, [
          m.runId,
          m.candidateIndex,
        ])) as Row[]
      )[0];
    await this.saveEvaluation(row.model_id, m.holdoutId, m.metrics, m.createdAt, manager);
    return toDomain(row);
  }

  async find(modelId: string, manager: EntityManager = this.dataSource.manager): Promise<ModelVersion | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(modelId)) return undefined;
    const rows: Row[] = await manager.query(`SELECT * FROM model_version WHERE model_id = $1`, [modelId]);
    return rows[0] ? toDomain(rows[0]) : undefined;
  }

  async findMany(modelIds: string[]): Promise<ModelVersion[]> {
    const ids = modelIds.filter((id) => /^[0-9a-f-]{36}$/i.test(id));
    const rows: Row[] = await this.dataSource.query(`SELECT * FROM model_version WHERE model_id = ANY($1::uuid[])`, [
      ids,
    ]);
    return rows.map(toDomain);
  }

  async champion(manager: EntityManager = this.dataSource.manager): Promise<ModelVersion | undefined> {
    const rows: Row[] = await manager.query(`SELECT * FROM model_version WHERE status = 'champion'`);
    return rows[0] ? toDomain(rows[0]) : undefined;
  }

  async latest(): Promise<ModelVersion | undefined> {
    const rows: Row[] = await this.dataSource.query(`SELECT * FROM model_version ORDER BY version DESC LIMIT 1`);
    return rows[0] ? toDomain(rows[0]) : undefined;
  }

  async list(filter: ModelFilter, limit: number, offset: number): Promise<ModelVersion[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT * FROM model_version
        WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR algorithm = $2)
          AND ($3::uuid IS NULL OR run_id = $3)
        ORDER BY version DESC LIMIT $4 OFFSET $5`,
      [filter.status ?? null, filter.algorithm ?? null, filter.runId ?? null, limit, offset],
    );
    return rows.map(toDomain);
  }

  /** Every model that was champion at some time (rollback targets), newest first. */
  async everPromoted(manager: EntityManager): Promise<ModelVersion[]> {
    const rows: Row[] = await manager.query(
      `SELECT * FROM model_version WHERE promoted_at IS NOT NULL ORDER BY version DESC`,
    );
    return rows.map(toDomain);
  }

  async setStatus(modelId: string, status: ModelStatus, manager: EntityManager, promotedAt?: Date): Promise<void> {
    await manager.query(
      `UPDATE model_version SET status = $2, promoted_at = COALESCE($3, promoted_at) WHERE model_id = $1`,
      [modelId, status, promotedAt ?? null],
    );
  }

  async saveEvaluation(
    modelId: string,
    holdoutId: string,
    metrics: MetricValue[],
    at: Date,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO model_evaluation (model_id, holdout_id, metrics, evaluated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (model_id, holdout_id) DO UPDATE SET metrics = EXCLUDED.metrics, evaluated_at = EXCLUDED.evaluated_at`,
      [modelId, holdoutId, JSON.stringify(metrics), at],
    );
  }

  /** A model's metrics on a holdout: its own, or a re-evaluation made when it defended the championship. */
  async evaluation(modelId: string, holdoutId: string): Promise<MetricValue[] | undefined> {
    const rows: { metrics: MetricValue[] }[] = await this.dataSource.query(
      `SELECT metrics FROM model_evaluation WHERE model_id = $1 AND holdout_id = $2`,
      [modelId, holdoutId],
    );
    return rows[0]?.metrics;
  }

  async recordPromotion(p: PromotionRecord, manager: EntityManager): Promise<void> {
    await manager.query(
      `INSERT INTO model_promotion (model_id, previous_model_id, reason, decision, requested_by, note, promoted_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [p.modelId, p.previousModelId ?? null, p.reason, JSON.stringify(p.decision), p.requestedBy, p.note, p.at],
    );
  }
}
