import type { DataWindow, EvaluationSpec, MetricValue, ParamValue } from './run';

/**
 * A registered model. `version` is global to the registry (1, 2, 3, … in registration order, whatever the
 * algorithm), so "version 7" names one model and a later version was always registered later.
 */
export type ModelStatus = 'registered' | 'champion' | 'retired' | 'rejected' | 'rolled_back';

export interface ArtifactInfo {
  /** Where the bytes are stored: `db://artifacts/<id>` or `file:///…/<id>.rsys`. */
  uri: string;
  /** Hex SHA-256 of the bytes. */
  sha256: string;
  sizeBytes: number;
  contentType: string;
  formatVersion: number;
}

export interface ModelVersion {
  modelId: string;
  version: number;
  algorithm: string;
  params: Record<string, ParamValue>;
  dataWindow: DataWindow;
  evaluation: EvaluationSpec;
  holdoutId: string;
  metrics: MetricValue[];
  status: ModelStatus;
  artifact: ArtifactInfo;
  runId: string;
  fitSeconds: number;
  createdAt: Date;
  promotedAt?: Date;
}

export const ARTIFACT_CONTENT_TYPE = 'application/vnd.retail.recsys-artifact';

/**
 * Where the recommendation service fetches a model announced by `models.v1.promoted`: the training service's
 * `GetModelArtifact` RPC with this id (it resolves `grpc://training` through TRAINING_GRPC_URL).
 */
export function artifactFetchUri(modelId: string): string {
  return `grpc://training/models/${modelId}`;
}

/** The checksum as `models.v1.promoted` writes it. */
export function eventChecksum(sha256: string): string {
  return `sha256:${sha256}`;
}
