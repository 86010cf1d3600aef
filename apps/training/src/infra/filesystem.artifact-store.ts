import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ArtifactMissingError, ArtifactStore, sha256Hex, verified } from './artifact.store';

/** One file per model in a directory (a shared volume in a cluster); written to a temporary name, then renamed. */
export class FilesystemArtifactStore implements ArtifactStore {
  readonly kind = 'file';
  private readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  async put(modelId: string, bytes: Uint8Array): Promise<{ uri: string; sha256: string }> {
    await mkdir(this.dir, { recursive: true });
    const path = this.pathOf(modelId);
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, bytes);
    await rename(temporary, path); // atomic on one filesystem: a reader never sees half a file
    return { uri: pathToFileURL(path).href, sha256: sha256Hex(bytes) };
  }

  async get(modelId: string, expectedSha256: string): Promise<Buffer> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.pathOf(modelId));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ArtifactMissingError(modelId);
      throw err;
    }
    return verified(modelId, bytes, expectedSha256);
  }

  private pathOf(modelId: string): string {
    // Model ids are UUIDs the registry made; refuse anything else rather than build a path from it.
    if (!/^[0-9a-f-]{36}$/.test(modelId)) throw new ArtifactMissingError(modelId);
    return join(this.dir, `${modelId}.rsys`);
  }
}
