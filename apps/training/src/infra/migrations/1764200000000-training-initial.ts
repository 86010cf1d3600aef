import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The training schema: runs with their progress and checkpoints, the model registry, each model's metrics per
 * holdout (its own and re-evaluations as champion), the promotion log, stored artifacts (database store) and the
 * new-events counter of the "enough new data" trigger.
 */
export class TrainingInitial1764200000000 implements MigrationInterface {
  readonly name = 'TrainingInitial1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE training_run (
        run_id uuid PRIMARY KEY,
        request_id text UNIQUE,
        state text NOT NULL CHECK (state IN ('pending', 'running', 'succeeded', 'failed', 'cancelled')),
        trigger text NOT NULL CHECK (trigger IN ('manual', 'schedule', 'new_data')),
        requested_by text NOT NULL,
        spec jsonb NOT NULL,
        data_window jsonb,
        stage text NOT NULL DEFAULT 'queued',
        done bigint NOT NULL DEFAULT 0,
        total bigint NOT NULL DEFAULT 0,
        units_per_second double precision NOT NULL DEFAULT 0,
        results jsonb NOT NULL DEFAULT '[]',
        promotion jsonb,
        resume_count int NOT NULL DEFAULT 0,
        error_message text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL,
        started_at timestamptz,
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX training_run_created_idx ON training_run (created_at DESC, run_id DESC)`);
    await q.query(
      `CREATE INDEX training_run_active_idx ON training_run (created_at) WHERE state IN ('pending', 'running')`,
    );
    // One row per finished step: the fetched training set ('training_set', key '') and each fitted candidate
    // ('candidate', key = its position in the run). Deleted when the run succeeds.
    await q.query(`
      CREATE TABLE training_run_checkpoint (
        run_id uuid NOT NULL REFERENCES training_run (run_id) ON DELETE CASCADE,
        kind text NOT NULL,
        key text NOT NULL,
        payload bytea NOT NULL,
        meta jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (run_id, kind, key)
      )`);
    await q.query(`CREATE SEQUENCE model_version_seq`);
    await q.query(`
      CREATE TABLE model_version (
        model_id uuid PRIMARY KEY,
        version bigint NOT NULL UNIQUE DEFAULT nextval('model_version_seq'),
        algorithm text NOT NULL,
        params jsonb NOT NULL,
        data_window jsonb NOT NULL,
        evaluation jsonb NOT NULL,
        holdout_id text NOT NULL,
        metrics jsonb NOT NULL,
        status text NOT NULL CHECK (status IN ('registered', 'champion', 'retired', 'rejected', 'rolled_back')),
        artifact_uri text NOT NULL,
        artifact_sha256 text NOT NULL,
        artifact_size bigint NOT NULL,
        artifact_content_type text NOT NULL,
        artifact_format_version int NOT NULL,
        run_id uuid NOT NULL,
        candidate_index int NOT NULL,
        fit_seconds double precision NOT NULL,
        created_at timestamptz NOT NULL,
        promoted_at timestamptz,
        UNIQUE (run_id, candidate_index)
      )`);
    // At most one champion, whatever races.
    await q.query(`CREATE UNIQUE INDEX model_version_one_champion ON model_version (status) WHERE status = 'champion'`);
    await q.query(`CREATE INDEX model_version_algorithm_idx ON model_version (algorithm, version DESC)`);
    await q.query(`
      CREATE TABLE model_evaluation (
        model_id uuid NOT NULL REFERENCES model_version (model_id),
        holdout_id text NOT NULL,
        metrics jsonb NOT NULL,
        evaluated_at timestamptz NOT NULL,
        PRIMARY KEY (model_id, holdout_id)
      )`);
    await q.query(`
      CREATE TABLE model_promotion (
        id bigserial PRIMARY KEY,
        model_id uuid NOT NULL REFERENCES model_version (model_id),
        previous_model_id uuid,
        reason text NOT NULL CHECK (reason IN ('beat_champion', 'first_model', 'manual', 'rollback')),
        decision jsonb NOT NULL,
        requested_by text NOT NULL,
        note text NOT NULL DEFAULT '',
        promoted_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE model_artifact (
        model_id uuid PRIMARY KEY,
        bytes bytea NOT NULL,
        sha256 text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE training_trigger (
        name text PRIMARY KEY,
        new_events bigint NOT NULL DEFAULT 0,
        since timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`INSERT INTO training_trigger (name) VALUES ('new_events')`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'training_trigger',
      'model_artifact',
      'model_promotion',
      'model_evaluation',
      'model_version',
      'training_run_checkpoint',
      'training_run',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await q.query(`DROP SEQUENCE IF EXISTS model_version_seq`);
  }
}
