import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A/B experiments. `experiment_assignment` holds one row per distinct subject (a hash, never the raw
 * user id) for the `assigned` counts; `experiment_metric` the running totals per variant, with the sum
 * of squared revenue for the variance of revenue per impression; `experiment_feedback_event` the event
 * ids already counted, so a redelivered or re-published event is not counted twice.
 */
export class Experiments1764200000000 implements MigrationInterface {
  readonly name = 'Experiments1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE experiment (
        id text PRIMARY KEY,
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        placements text[] NOT NULL DEFAULT '{}',
        variants jsonb NOT NULL,
        state text NOT NULL CHECK (state IN ('draft', 'running', 'stopped')),
        created_at timestamptz NOT NULL,
        started_at timestamptz,
        stopped_at timestamptz
      )`);
    await q.query(`CREATE INDEX experiment_list_idx ON experiment (created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX experiment_running_idx ON experiment (started_at) WHERE state = 'running'`);
    await q.query(`
      CREATE TABLE experiment_assignment (
        experiment_id text NOT NULL REFERENCES experiment (id) ON DELETE CASCADE,
        subject_hash text NOT NULL,
        variant_id text NOT NULL,
        first_seen_at timestamptz NOT NULL,
        PRIMARY KEY (experiment_id, subject_hash)
      )`);
    await q.query(`
      CREATE TABLE experiment_metric (
        experiment_id text NOT NULL REFERENCES experiment (id) ON DELETE CASCADE,
        variant_id text NOT NULL,
        impressions bigint NOT NULL DEFAULT 0,
        clicks bigint NOT NULL DEFAULT 0,
        conversions bigint NOT NULL DEFAULT 0,
        revenue_minor bigint NOT NULL DEFAULT 0,
        revenue_sq numeric NOT NULL DEFAULT 0,
        currency char(3),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (experiment_id, variant_id)
      )`);
    await q.query(`
      CREATE TABLE experiment_feedback_event (
        event_id text PRIMARY KEY,
        counted_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX experiment_feedback_event_time_idx ON experiment_feedback_event (counted_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE experiment_feedback_event`);
    await q.query(`DROP TABLE experiment_metric`);
    await q.query(`DROP TABLE experiment_assignment`);
    await q.query(`DROP TABLE experiment`);
  }
}
