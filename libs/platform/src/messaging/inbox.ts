import type { DataSource, EntityManager, MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The inbox makes at-least-once delivery effectively-once: a consumer records each message id in
 * the same transaction as the work the message causes, so a redelivery finds the row and skips.
 */
export const INBOX_TABLE = 'messaging_inbox';

/** Add to each service's migrations list (it owns its own copy of the table). */
export class PlatformInbox1763700000000 implements MigrationInterface {
  readonly name = 'PlatformInbox1763700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS ${INBOX_TABLE} (
        consumer text NOT NULL,
        message_id text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, message_id)
      )`);
    // For pruneInbox, which deletes by age.
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS ${INBOX_TABLE}_processed_at_idx ON ${INBOX_TABLE} (processed_at)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS ${INBOX_TABLE}`);
  }
}

/**
 * Runs `work` at most once per (consumer, message id): in one transaction it claims the inbox row
 * and, only if the row is new, runs `work` with that transaction's manager. Resolves after commit,
 * so the caller acks only durable work; if `work` throws, nothing (inbox row included) is kept and
 * a redelivery can try again. Returns true if the work ran, false for a duplicate.
 *
 * A concurrent second delivery of the same message blocks on the primary key until the first
 * commits, then sees the row and skips.
 */
export async function processOnce(
  dataSource: DataSource,
  consumer: string,
  message: { readonly msgId: string },
  work: (manager: EntityManager) => Promise<void>,
): Promise<boolean> {
  return dataSource.transaction(async (manager) => {
    const claimed: unknown[] = await manager.query(
      `INSERT INTO ${INBOX_TABLE} (consumer, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`,
      [consumer, message.msgId],
    );
    if (claimed.length === 0) return false;
    await work(manager);
    return true;
  });
}

/**
 * Deletes inbox rows older than `olderThanMs`. Keep them at least as long as a message can be
 * redelivered or republished with the same id (the stream's max age), or duplicates slip through.
 */
export async function pruneInbox(dataSource: DataSource, olderThanMs: number): Promise<number> {
  const [, count] = (await dataSource.query(
    `DELETE FROM ${INBOX_TABLE} WHERE processed_at < now() - ($1::bigint * interval '1 millisecond')`,
    [Math.floor(olderThanMs)],
  )) as [unknown, number];
  return count;
}
