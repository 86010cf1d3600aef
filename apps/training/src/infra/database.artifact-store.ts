import { DataSource } from 'typeorm';
import { ArtifactMissingError, ArtifactStore, sha256Hex, verified } from './artifact.store';

/** Artifacts as bytea rows of the service's own database: no extra infrastructure, fine up to tens of MB. */
export class DatabaseArtifactStore implements ArtifactStore {
  readonly kind = 'db';

  constructor(private readonly dataSource: DataSource) {}

  async put(modelId: string, bytes: Uint8Array): Promise<{ uri: string; sha256: string }> {
    const sha256 = sha256Hex(bytes);
    await this.dataSource.query(
      `INSERT INTO model_artifact (model_id, bytes, sha256) VALUES ($1, $2, $3)
       ON CONFLICT (model_id) DO UPDATE SET bytes = EXCLUDED.bytes, sha256 = EXCLUDED.sha256`,
      [modelId, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), sha256],
    );
    return { uri: `db://artifacts/${modelId}`, sha256 };
  }

  async get(modelId: string, expectedSha256: string): Promise<Buffer> {
    const rows: { bytes: Buffer }[] = await this.dataSource.query(
      `SELECT bytes FROM model_artifact WHERE model_id = $1`,
      [modelId],
    );
    if (!rows[0]) throw new ArtifactMissingError(modelId);
    return verified(modelId, rows[0].bytes, expectedSha256);
  }
}
