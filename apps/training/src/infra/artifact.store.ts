import { createHash } from 'node:crypto';

/**
 * Where model bytes live, behind one interface (database now, filesystem for a shared volume, object storage
 * later). Stores are content-checked: `get` verifies the SHA-256 recorded at `put` and refuses corrupt bytes.
 */
export interface ArtifactStore {
  /** Scheme of the URIs it hands out, e.g. `db` or `file`. */
  readonly kind: string;
  /** Stores the bytes under the model id (idempotent: the same id and bytes twice is fine); returns the URI. */
  put(modelId: string, bytes: Uint8Array): Promise<{ uri: string; sha256: string }>;
  /** The bytes, checksum verified; throws ArtifactMissingError / ArtifactCorruptError. */
  get(modelId: string, expectedSha256: string): Promise<Buffer>;
}

export const ARTIFACT_STORE = Symbol('ARTIFACT_STORE');

export class ArtifactMissingError extends Error {
  constructor(readonly modelId: string) {
    super(`artifact of model ${modelId} is missing from the store`);
    this.name = 'ArtifactMissingError';
  }
}

export class ArtifactCorruptError extends Error {
  constructor(
    readonly modelId: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`artifact of model ${modelId} has checksum ${actual}, the registry recorded ${expected}`);
    this.name = 'ArtifactCorruptError';
  }
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Shared by every store: the bytes must hash to what the registry recorded. */
export function verified(modelId: string, bytes: Buffer, expectedSha256: string): Buffer {
  const actual = sha256Hex(bytes);
  if (actual !== expectedSha256) throw new ArtifactCorruptError(modelId, expectedSha256, actual);
  return bytes;
}
