import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The feature store's schema. The offline history (`fs_interaction` and the version tables) is every
 * fact as it arrived; `fs_online_state` holds each feature view's folded state per entity (the online
 * store); the co-occurrence tables hold basket members, pair supports and basket counts. `seq` is the
 * event's stream sequence: it orders facts. Counters that change on every event (states, pair supports,
 * basket counts) have no index on the changing column and free space in their pages (fillfactor), so an
 * update stays a heap-only tuple: no index write.
 */
export class FeatureStoreInitial1764100000000 implements MigrationInterface {
  readonly name = 'FeatureStoreInitial1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE fs_interaction (
        event_id text PRIMARY KEY,
        seq bigint NOT NULL,
        user_id text,
        session_id text,
        item_id text NOT NULL,
        type text NOT NULL,
        occurred_at timestamptz NOT NULL,
        quantity integer NOT NULL,
        rating smallint
      )`);
    await q.query(
      `CREATE INDEX fs_interaction_user_idx ON fs_interaction (user_id, occurred_at DESC, seq DESC) WHERE user_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX fs_interaction_session_idx ON fs_interaction (session_id, occurred_at DESC, seq DESC) WHERE session_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX fs_interaction_item_idx ON fs_interaction (item_id, seq)`);
    await q.query(`CREATE INDEX fs_interaction_time_idx ON fs_interaction (occurred_at, seq)`);
    await q.query(`
      CREATE TABLE fs_item_version (
        item_id text NOT NULL,
        updated_at timestamptz NOT NULL,
        seq bigint NOT NULL,
        payload jsonb NOT NULL,
        PRIMARY KEY (item_id, updated_at)
      )`);
    await q.query(`
      CREATE TABLE fs_user_version (
        user_id text NOT NULL,
        updated_at timestamptz NOT NULL,
        seq bigint NOT NULL,
        payload jsonb NOT NULL,
        PRIMARY KEY (user_id, updated_at)
      )`);
    await q.query(`
      CREATE TABLE fs_stock_observation (
        item_id text NOT NULL,
        store_id text NOT NULL,
        observed_at timestamptz NOT NULL,
        seq bigint NOT NULL,
        on_hand integer NOT NULL,
        on_order integer NOT NULL,
        PRIMARY KEY (item_id, store_id, observed_at)
      )`);
    await q.query(`
      CREATE TABLE fs_online_state (
        view text NOT NULL,
        entity text NOT NULL,
        observed_at timestamptz NOT NULL,
        state jsonb NOT NULL,
        PRIMARY KEY (view, entity)
      ) WITH (fillfactor = 70)`);
    await q.query(`
      CREATE TABLE fs_basket_member (
        kind text NOT NULL,
        basket text NOT NULL,
        item_id text NOT NULL,
        user_id text,
        paired boolean NOT NULL,
        PRIMARY KEY (kind, basket, item_id)
      )`);
    await q.query(`CREATE INDEX fs_basket_member_user_idx ON fs_basket_member (user_id) WHERE user_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE fs_item_pair (
        kind text NOT NULL,
        item_a text NOT NULL,
        item_b text NOT NULL,
        support integer NOT NULL,
        PRIMARY KEY (kind, item_a, item_b)
      ) WITH (fillfactor = 70)`);
    await q.query(`
      CREATE TABLE fs_item_baskets (
        kind text NOT NULL,
        item_id text NOT NULL,
        baskets integer NOT NULL,
        PRIMARY KEY (kind, item_id)
      ) WITH (fillfactor = 70)`);
    // Where consumption stands: a redelivered message at or below last_seq changes nothing.
    await q.query(`
      CREATE TABLE fs_consumer_position (
        consumer text PRIMARY KEY,
        last_seq bigint NOT NULL,
        applied bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Erased users by hash of their id: their older events are never applied again (redelivery, replay).
    await q.query(`
      CREATE TABLE fs_erased_user (
        user_hash text PRIMARY KEY,
        through_seq bigint NOT NULL,
        request_id text NOT NULL,
        erased_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'fs_erased_user',
      'fs_consumer_position',
      'fs_item_baskets',
      'fs_item_pair',
      'fs_basket_member',
      'fs_online_state',
      'fs_stock_observation',
      'fs_user_version',
      'fs_item_version',
      'fs_interaction',
    ]) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
