import { MigrationInterface, QueryRunner } from 'typeorm';

/** What the decision half needs beyond the initial schema: run progress and failures, forecast details and accuracy. */
export class DssDecisions1763900000000 implements MigrationInterface {
  readonly name = 'DssDecisions1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE computation
        ADD COLUMN started_at timestamptz,
        ADD COLUMN units_per_second double precision NOT NULL DEFAULT 0,
        ADD COLUMN failed_count bigint NOT NULL DEFAULT 0,
        ADD COLUMN failures jsonb NOT NULL DEFAULT '[]'`);
    await q.query(`CREATE INDEX computation_state_idx ON computation (state) WHERE state IN ('pending', 'running')`);
    // accuracy: the chosen model's holdout backtest (MASE, bias, 80% interval coverage), null when too short.
    await q.query(`
      ALTER TABLE forecast
        ADD COLUMN label text NOT NULL DEFAULT '',
        ADD COLUMN title text NOT NULL DEFAULT '',
        ADD COLUMN selected_by text NOT NULL DEFAULT '',
        ADD COLUMN interval_method text NOT NULL DEFAULT '',
        ADD COLUMN history_start date,
        ADD COLUMN history_periods int NOT NULL DEFAULT 0,
        ADD COLUMN imputed_periods int NOT NULL DEFAULT 0,
        ADD COLUMN accuracy jsonb`);
    await q.query(`CREATE INDEX forecast_store_idx ON forecast (store_id, frequency)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS forecast_store_idx`);
    await q.query(`
      ALTER TABLE forecast DROP COLUMN label, DROP COLUMN title, DROP COLUMN selected_by, DROP COLUMN interval_method,
        DROP COLUMN history_start, DROP COLUMN history_periods, DROP COLUMN imputed_periods, DROP COLUMN accuracy`);
    await q.query(`DROP INDEX IF EXISTS computation_state_idx`);
    await q.query(`
      ALTER TABLE computation DROP COLUMN started_at, DROP COLUMN units_per_second,
        DROP COLUMN failed_count, DROP COLUMN failures`);
  }
}
