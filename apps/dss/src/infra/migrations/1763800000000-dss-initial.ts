import { MigrationInterface, QueryRunner } from 'typeorm';

/** The DSS's own data: demand and stock history, supply parameters, rules, forecasts, suggestions. */
export class DssInitial1763800000000 implements MigrationInterface {
  readonly name = 'DssInitial1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE item (
        sku text PRIMARY KEY,
        title text NOT NULL DEFAULT '',
        categories text[] NOT NULL DEFAULT '{}',
        price_minor bigint,
        currency text,
        available boolean NOT NULL DEFAULT true,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX item_categories_idx ON item USING gin (categories)`);
    // Net demand per day = units_sold - units_returned; days are UTC calendar days.
    await q.query(`
      CREATE TABLE daily_sales (
        sku text NOT NULL,
        store_id text NOT NULL,
        day date NOT NULL,
        units_sold bigint NOT NULL DEFAULT 0,
        units_returned bigint NOT NULL DEFAULT 0,
        revenue_minor bigint NOT NULL DEFAULT 0,
        lines int NOT NULL DEFAULT 0,
        PRIMARY KEY (sku, store_id, day)
      )`);
    await q.query(`
      CREATE TABLE stock_position (
        sku text NOT NULL,
        store_id text NOT NULL,
        on_hand bigint NOT NULL,
        on_order bigint NOT NULL,
        observed_at timestamptz NOT NULL,
        PRIMARY KEY (sku, store_id)
      )`);
    // Lowest stock seen each day: a day that hit zero is censored demand, not a true zero.
    await q.query(`
      CREATE TABLE daily_stock (
        sku text NOT NULL,
        store_id text NOT NULL,
        day date NOT NULL,
        closing_on_hand bigint NOT NULL,
        min_on_hand bigint NOT NULL,
        observed_at timestamptz NOT NULL,
        PRIMARY KEY (sku, store_id, day)
      )`);
    // store_id '' holds the parameters that apply to every store without its own row.
    await q.query(`
      CREATE TABLE supply_parameters (
        sku text NOT NULL,
        store_id text NOT NULL DEFAULT '',
        lead_time_days double precision NOT NULL,
        lead_time_std_days double precision NOT NULL DEFAULT 0,
        unit_cost_minor bigint NOT NULL,
        order_cost_minor bigint NOT NULL DEFAULT 0,
        holding_cost_rate double precision,
        currency text NOT NULL,
        min_order_qty bigint NOT NULL DEFAULT 0,
        pack_size bigint NOT NULL DEFAULT 1,
        service_level double precision NOT NULL,
        review_period_days int NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL,
        updated_by text NOT NULL,
        PRIMARY KEY (sku, store_id)
      )`);
    await q.query(`
      CREATE TABLE rule (
        rule_id uuid PRIMARY KEY,
        revision int NOT NULL,
        name text NOT NULL,
        scope jsonb NOT NULL,
        kind text NOT NULL,
        params jsonb NOT NULL,
        enabled boolean NOT NULL,
        deleted boolean NOT NULL DEFAULT false,
        changed_by text NOT NULL,
        changed_at timestamptz NOT NULL,
        change_reason text NOT NULL DEFAULT ''
      )`);
    await q.query(`
      CREATE TABLE rule_history (
        rule_id uuid NOT NULL,
        revision int NOT NULL,
        action text NOT NULL,
        snapshot jsonb NOT NULL,
        actor text NOT NULL,
        at timestamptz NOT NULL,
        reason text NOT NULL DEFAULT '',
        PRIMARY KEY (rule_id, revision)
      )`);
    await q.query(`
      CREATE TABLE computation (
        computation_id uuid PRIMARY KEY,
        request_id text UNIQUE,
        scope jsonb NOT NULL,
        state text NOT NULL,
        stage text NOT NULL DEFAULT '',
        done bigint NOT NULL DEFAULT 0,
        total bigint NOT NULL DEFAULT 0,
        suggestion_count bigint NOT NULL DEFAULT 0,
        error_message text NOT NULL DEFAULT '',
        requested_by text NOT NULL,
        created_at timestamptz NOT NULL,
        finished_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE forecast (
        forecast_id uuid PRIMARY KEY,
        sku text NOT NULL,
        store_id text NOT NULL,
        frequency text NOT NULL,
        model text NOT NULL,
        demand_class text NOT NULL,
        candidates jsonb NOT NULL,
        points jsonb NOT NULL,
        computed_at timestamptz NOT NULL,
        UNIQUE (sku, store_id, frequency)
      )`);
    await q.query(`
      CREATE TABLE suggestion (
        suggestion_id uuid PRIMARY KEY,
        sku text NOT NULL,
        store_id text NOT NULL,
        status text NOT NULL,
        revision int NOT NULL,
        policy text NOT NULL,
        order_quantity bigint NOT NULL,
        reorder_point double precision NOT NULL,
        safety_stock double precision NOT NULL,
        order_up_to_level double precision NOT NULL,
        economic_order_quantity double precision NOT NULL,
        inventory_position double precision NOT NULL,
        on_hand bigint NOT NULL,
        on_order bigint NOT NULL,
        days_of_cover double precision NOT NULL,
        stockout_probability double precision NOT NULL,
        expected_units_short double precision NOT NULL,
        excess_units double precision NOT NULL,
        excess_value_minor bigint NOT NULL,
        currency text NOT NULL,
        target_service_level double precision NOT NULL,
        lead_time_days double precision NOT NULL,
        order_date date NOT NULL,
        forecast_id uuid,
        forecast_model text NOT NULL DEFAULT '',
        reasons jsonb NOT NULL,
        computation_id uuid,
        computed_at timestamptz NOT NULL,
        decided_by text,
        decided_at timestamptz,
        decision_reason text,
        quantity_override bigint
      )`);
    // At most one open proposal per SKU and store: a new computation supersedes the old one.
    await q.query(`CREATE UNIQUE INDEX suggestion_open_idx ON suggestion (sku, store_id) WHERE status = 'proposed'`);
    await q.query(`CREATE INDEX suggestion_store_status_idx ON suggestion (store_id, status)`);
    await q.query(`
      CREATE TABLE suggestion_audit (
        suggestion_id uuid NOT NULL REFERENCES suggestion (suggestion_id),
        revision int NOT NULL,
        action text NOT NULL,
        actor text NOT NULL,
        at timestamptz NOT NULL,
        reason text NOT NULL DEFAULT '',
        PRIMARY KEY (suggestion_id, revision)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'suggestion_audit',
      'suggestion',
      'forecast',
      'computation',
      'rule_history',
      'rule',
      'supply_parameters',
      'daily_stock',
      'stock_position',
      'daily_sales',
      'item',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
