import { IdMap, InteractionDataset, type ItemAttributes } from '@app/recsys';

/**
 * A fetched training set in columns, in the order the feature store streamed it. Rebuilding the dataset from it
 * gives the same user and item indices every time, so a checkpointed model and a resumed run's holdout line up.
 */
export interface TrainingSnapshot {
  snapshotId: string;
  asOf: Date;
  windowStart?: Date;
  /** Items' content features (when asked for), by first appearance. */
  catalog: ItemAttributes[];
  userIds: string[];
  itemIds: string[];
  user: Int32Array;
  item: Int32Array;
  weight: Float32Array;
  /** Seconds since the epoch. */
  time: Float64Array;
}

export type SnapshotMeta = Pick<TrainingSnapshot, 'snapshotId' | 'asOf' | 'windowStart'>;

/** Collects streamed rows without an object per row. */
export class TrainingSnapshotBuilder {
  private readonly users = new IdMap();
  private readonly items = new IdMap();
  private readonly catalog: ItemAttributes[] = [];
  private readonly catalogued = new Set<string>();
  private u = new Int32Array(1024);
  private i = new Int32Array(1024);
  private w = new Float32Array(1024);
  private t = new Float64Array(1024);
  private n = 0;

  get size(): number {
    return this.n;
  }

  /** Adds one interaction; non-positive weights are implicit-feedback noise and are dropped (as the library does). */
  add(userId: string, itemId: string, weight: number, timeSeconds: number): void {
    if (!(weight > 0) || !Number.isFinite(timeSeconds)) return;
    if (this.n === this.u.length) this.grow();
    this.u[this.n] = this.users.add(userId);
    this.i[this.n] = this.items.add(itemId);
    this.w[this.n] = weight;
    this.t[this.n] = timeSeconds;
    this.n++;
  }

  /** Adds an item's content features once (a resumed stream may send them again). */
  addItem(item: ItemAttributes): void {
    if (this.catalogued.has(item.itemId)) return;
    this.catalogued.add(item.itemId);
    this.items.add(item.itemId);
    this.catalog.push(item);
  }

  build(meta: SnapshotMeta): TrainingSnapshot {
    return {
      ...meta,
      catalog: this.catalog,
      userIds: [...this.users.toArray()],
      itemIds: [...this.items.toArray()],
      user: this.u.slice(0, this.n),
      item: this.i.slice(0, this.n),
      weight: this.w.slice(0, this.n),
      time: this.t.slice(0, this.n),
    };
  }

  private grow(): void {
    const grow = <T extends Int32Array | Float32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(a.length * 2);
      b.set(a);
      return b;
    };
    this.u = grow(this.u, (n) => new Int32Array(n));
    this.i = grow(this.i, (n) => new Int32Array(n));
    this.w = grow(this.w, (n) => new Float32Array(n));
    this.t = grow(this.t, (n) => new Float64Array(n));
  }
}

export function snapshotToDataset(s: TrainingSnapshot): InteractionDataset {
  return new InteractionDataset(
    new IdMap(s.userIds),
    new IdMap(s.itemIds),
    s.user,
    s.item,
    s.weight,
    s.time,
    new Map(s.catalog.map((c) => [c.itemId, c])),
  );
}
