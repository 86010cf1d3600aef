import { createTestDatabase, TestDatabase } from '@app/testing';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataSource } from 'typeorm';
import { ArtifactCorruptError, ArtifactMissingError, ArtifactStore, sha256Hex } from '../src/infra/artifact.store';
import { DatabaseArtifactStore } from '../src/infra/database.artifact-store';
import { FilesystemArtifactStore } from '../src/infra/filesystem.artifact-store';
import { trainingMigrations } from '../src/infra/migrations';

/** One conformance suite for every artifact store (database on the real PostgreSQL, filesystem in a temp dir). */
describe.each(['database', 'filesystem'] as const)('%s artifact store', (kind) => {
  let db: TestDatabase;
  let ds: DataSource;
  let dir: string;
  let store: ArtifactStore;
  /** Overwrites the stored bytes behind the store's back. */
  let tamper: (modelId: string, uri: string) => Promise<void>;

  beforeAll(async () => {
    if (kind === 'database') {
      db = await createTestDatabase('training_artifacts');
      ds = new DataSource({ type: 'postgres', url: db.url, migrations: trainingMigrations });
      await ds.initialize();
      await ds.runMigrations();
      store = new DatabaseArtifactStore(ds);
      tamper = async (id) =>
        void (await ds.query(`UPDATE model_artifact SET bytes = '\\x00' WHERE model_id = $1`, [id]));
    } else {
      dir = await mkdtemp(join(tmpdir(), 'training-artifacts-'));
      store = new FilesystemArtifactStore(join(dir, 'models'));
      tamper = (_id, uri) => writeFile(fileURLToPath(uri), 'x');
    }
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 31) % 256);

  it('returns the bytes it stored, with their checksum and a URI of its kind', async () => {
    const id = randomUUID();
    const { uri, sha256 } = await store.put(id, bytes);
    expect(sha256).toBe(sha256Hex(bytes));
    expect(uri.startsWith(kind === 'database' ? `db://artifacts/${id}` : 'file://')).toBe(true);
    expect(Buffer.compare(await store.get(id, sha256), Buffer.from(bytes))).toBe(0);
  });

  it('accepts the same artifact twice (a resumed run registers again)', async () => {
    const id = randomUUID();
    await store.put(id, bytes);
    const { sha256 } = await store.put(id, bytes);
    expect((await store.get(id, sha256)).length).toBe(bytes.length);
  });

  it('refuses bytes that do not match the recorded checksum, and says when an artifact is missing', async () => {
    const id = randomUUID();
    const { uri, sha256 } = await store.put(id, bytes);
    await tamper(id, uri);
    await expect(store.get(id, sha256)).rejects.toBeInstanceOf(ArtifactCorruptError);
    await expect(store.get(randomUUID(), sha256)).rejects.toBeInstanceOf(ArtifactMissingError);
  });
});
