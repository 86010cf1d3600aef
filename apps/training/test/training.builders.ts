import { randomUUID } from 'node:crypto';
import { ARTIFACT_CONTENT_TYPE, ModelVersion } from '../src/domain/model-version';

/** A registered model with plausible values; override what a test is about. */
export function aModelVersion(overrides: Partial<ModelVersion> = {}): ModelVersion {
  return {
    modelId: randomUUID(),
    version: 1,
    algorithm: 'ease',
    params: { lambda: 400 },
    dataWindow: {
      asOf: new Date('2026-11-01T00:00:00Z'),
      snapshotId: 'snap-1',
      interactionCount: 1000,
      userCount: 100,
      itemCount: 50,
    },
    evaluation: { split: 'temporal', trainRatio: 0.8, seed: 42, k: 10, primaryMetric: 'ndcg' },
    holdoutId: 'h-1',
    metrics: [{ name: 'ndcg', k: 10, value: 0.3 }],
    status: 'registered',
    artifact: {
      uri: 'db://artifacts/x',
      sha256: '0'.repeat(64),
      sizeBytes: 10,
      contentType: ARTIFACT_CONTENT_TYPE,
      formatVersion: 1,
    },
    runId: randomUUID(),
    fitSeconds: 0.1,
    createdAt: new Date('2026-11-01T00:00:00Z'),
    ...overrides,
  };
}
