import { withDatabase } from '@app/platform/database/database-url';
import { Client } from 'pg';
import { uniqueName } from './run-id';

/** Server the tests use; override with TEST_DATABASE_URL (any database on the server, usually `postgres`). */
export const TEST_SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/** Creates an empty database whose name starts with `test_` and returns its URL; `drop()` removes it. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = uniqueName(`test_${label}`);
  const admin = new Client({ connectionString: TEST_SERVER_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: withDatabase(TEST_SERVER_URL, name),
    drop: async () => {
      const c = new Client({ connectionString: TEST_SERVER_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
