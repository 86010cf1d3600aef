import { Client } from 'pg';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { createTestDatabase, TEST_SERVER_URL, TestDatabase, uniqueName } from '@app/testing';
import { PLATFORM_MIGRATIONS } from '../platform/platform.module';
import { openDataSource, runMigrations } from './data-source.factory';
import { assertSafeForEnvironment, withDatabase } from './database-url';

class CreateWidgets1763800000000 implements MigrationInterface {
  readonly name = 'CreateWidgets1763800000000';
  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE widget (id text PRIMARY KEY, made_at timestamptz NOT NULL)');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE widget');
  }
}

class BrokenMigration1763900000000 implements MigrationInterface {
  readonly name = 'BrokenMigration1763900000000';
  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE half_done (id int)');
    await q.query('SELECT * FROM no_such_table');
  }
  async down(): Promise<void> {}
}

async function tables(url: string): Promise<string[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ tablename: string }>(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    );
    return r.rows.map((row) => row.tablename);
  } finally {
    await c.end();
  }
}

describe('database (real PostgreSQL)', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase('db');
  });
  afterEach(async () => {
    await db.drop();
  });

  it('applies every migration on an empty database, once', async () => {
    const ds = await openDataSource({
      url: db.url,
      applicationName: 'test',
      entities: [],
      migrations: [...PLATFORM_MIGRATIONS, CreateWidgets1763800000000],
    });
    try {
      expect(await runMigrations(ds)).toEqual([
        ...PLATFORM_MIGRATIONS.map((m) => m.name),
        'CreateWidgets1763800000000',
      ]);
      expect(await runMigrations(ds)).toEqual([]);
      expect(await tables(db.url)).toEqual(
        expect.arrayContaining(['messaging_inbox', 'messaging_outbox', 'migrations', 'widget']),
      );
      await ds.undoLastMigration();
      expect(await tables(db.url)).not.toContain('widget');
    } finally {
      await ds.destroy();
    }
  });

  it('rolls a failing migration back completely', async () => {
    const ds = await openDataSource({
      url: db.url,
      applicationName: 'test',
      entities: [],
      migrations: [CreateWidgets1763800000000, BrokenMigration1763900000000],
    });
    try {
      await expect(runMigrations(ds)).rejects.toThrow(/no_such_table/);
      const t = await tables(db.url);
      expect(t).toContain('widget');
      expect(t).not.toContain('half_done');
      const applied = await ds.query('SELECT name FROM migrations');
      expect(applied.map((r: { name: string }) => r.name)).toEqual(['CreateWidgets1763800000000']);
    } finally {
      await ds.destroy();
    }
  });

  it('creates the database when asked and it is missing', async () => {
    const name = uniqueName('test_created');
    const url = withDatabase(TEST_SERVER_URL, name);
    const ds = await openDataSource({
      url,
      applicationName: 'test',
      entities: [],
      migrations: [],
      createIfMissing: true,
    });
    try {
      expect((await ds.query('SELECT current_database() AS db'))[0].db).toBe(name);
    } finally {
      await ds.destroy();
      const admin = new Client({ connectionString: TEST_SERVER_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  });

  it('refuses a database not marked for tests under NODE_ENV=test', async () => {
    expect(() => assertSafeForEnvironment('postgres://postgres@127.0.0.1/reco_ingestion', 'test')).toThrow(
      /Refusing to use database "reco_ingestion"/,
    );
    expect(() => assertSafeForEnvironment('postgres://postgres@127.0.0.1/reco_ingestion', 'production')).not.toThrow();
    expect(() => assertSafeForEnvironment('postgres://postgres@127.0.0.1/test_x', 'test')).not.toThrow();
    await expect(
      openDataSource({
        url: withDatabase(TEST_SERVER_URL, 'postgres'),
        applicationName: 'test',
        entities: [],
        migrations: [],
        nodeEnv: 'test',
      }),
    ).rejects.toThrow(/Refusing/);
  });

  it('gives up with a clear error when PostgreSQL is unreachable', async () => {
    await expect(
      openDataSource({
        url: 'postgres://postgres@127.0.0.1:1/test_nowhere',
        applicationName: 'test',
        entities: [],
        migrations: [],
        connectTimeoutMs: 300,
      }),
    ).rejects.toThrow(/Cannot open database postgres:\/\/postgres@127.0.0.1:1\/test_nowhere/);
  });
});
