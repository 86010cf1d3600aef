import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ingestion schema. `ingested_record` is the append-only log of accepted records and, at the same
 * time, the transactional outbox: the publisher tails it by (tx, seq), where tx is the writing
 * transaction's id. Rows only become eligible once every older transaction has finished (tx below the
 * snapshot's xmin), so a transaction that commits late can never be skipped — a plain sequence cursor
 * would skip it. One row per record, no per-row "published" update.
 */
export class IngestionInitial1764000000000 implements MigrationInterface {
  readonly name = 'IngestionInitial1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ingested_record (
        kind text NOT NULL,
        record_key text NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        tx xid8 NOT NULL DEFAULT pg_current_xact_id(),
        subject text NOT NULL,
        event json NOT NULL,
        raw json NOT NULL,
        source text NOT NULL,
        import_job_id text,
        trace_parent text,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (kind, record_key)
      )`);
    await q.query(`CREATE INDEX ingested_record_publish_idx ON ingested_record (tx, seq)`);
    await q.query(`
      CREATE TABLE publish_cursor (
        name text PRIMARY KEY,
        tx xid8 NOT NULL DEFAULT '0',
        seq bigint NOT NULL DEFAULT 0,
        published bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`INSERT INTO publish_cursor (name) VALUES ('events')`);
    // Users and items seen so far; the first sighting is flagged on the event.
    await q.query(`
      CREATE TABLE known_entity (
        kind char(1) NOT NULL,
        id text NOT NULL,
        first_seen_at timestamptz NOT NULL DEFAULT now(),
        registered_on_the_fly boolean NOT NULL,
        PRIMARY KEY (kind, id)
      )`);
    await q.query(`
      CREATE TABLE quarantined_record (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        kind text NOT NULL,
        payload json NOT NULL,
        reasons jsonb NOT NULL,
        reason_codes text[] NOT NULL,
        source text NOT NULL,
        import_job_id text,
        quarantined_at timestamptz NOT NULL DEFAULT now(),
        state text NOT NULL DEFAULT 'pending',
        replay_attempts int NOT NULL DEFAULT 0,
        last_replayed_at timestamptz
      )`);
    await q.query(`CREATE INDEX quarantined_record_recent_idx ON quarantined_record (seq DESC)`);
    await q.query(`CREATE INDEX quarantined_record_reason_idx ON quarantined_record USING gin (reason_codes)`);
    await q.query(`
      CREATE TABLE import_job (
        job_id text PRIMARY KEY,
        format text NOT NULL,
        kind text,
        source_uri text NOT NULL,
        options jsonb NOT NULL DEFAULT '{}',
        state text NOT NULL,
        bytes_read bigint NOT NULL DEFAULT 0,
        file_size bigint NOT NULL DEFAULT 0,
        checkpoint_offset bigint NOT NULL DEFAULT 0,
        checkpoint_row bigint NOT NULL DEFAULT 0,
        counts jsonb NOT NULL DEFAULT '{}',
        units_per_second double precision NOT NULL DEFAULT 0,
        resume_count int NOT NULL DEFAULT 0,
        error_message text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['import_job', 'quarantined_record', 'known_entity', 'publish_cursor', 'ingested_record']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
