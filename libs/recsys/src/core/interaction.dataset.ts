import { CsrMatrix } from './csr.matrix';
import { IdMap } from './id.map';
import { DEFAULT_TYPE_WEIGHTS, Interaction, ItemAttributes } from './interaction.types';
import { RecsysError } from './recsys.errors';

export interface DatasetOptions {
  /** Strength per event type when an interaction has no explicit weight. */
  typeWeights?: Readonly<Record<string, number>>;
  /** Item metadata for the content model; these items get an index even when nobody interacted with them yet. */
  items?: Iterable<ItemAttributes>;
}

/**
 * Interactions as parallel typed arrays over dense user and item indices (one row per event, duplicates allowed).
 * Splits select rows of it; models fit on its aggregated {@link CsrMatrix} (`toMatrix`). Subsets share the id maps,
 * so a train and a test part index the same users and items.
 */
export class InteractionDataset {
  private matrix?: CsrMatrix;

  constructor(
    readonly users: IdMap,
    readonly items: IdMap,
    readonly userIndex: Int32Array,
    readonly itemIndex: Int32Array,
    readonly weight: Float32Array,
    readonly timestamp: Float64Array,
    readonly catalog: ReadonlyMap<string, ItemAttributes> = new Map(),
  ) {
    const n = userIndex.length;
    if (itemIndex.length !== n || weight.length !== n || timestamp.length !== n) {
      throw new RecsysError('RECSYS.BAD_DATA', 'interaction columns have different lengths');
    }
  }

  static fromInteractions(rows: Iterable<Interaction>, options: DatasetOptions = {}): InteractionDataset {
    const builder = new DatasetBuilder(options);
    for (const row of rows) builder.add(row);
    return builder.build();
  }

  get size(): number {
    return this.userIndex.length;
  }

  get numUsers(): number {
    return this.users.size;
  }

  get numItems(): number {
    return this.items.size;
  }

  /** The rows at `indices`, sharing id maps and catalogue. */
  subset(indices: ArrayLike<number>): InteractionDataset {
    const n = indices.length;
    const u = new Int32Array(n);
    const i = new Int32Array(n);
    const w = new Float32Array(n);
    const t = new Float64Array(n);
    for (let p = 0; p < n; p++) {
      const q = indices[p];
      u[p] = this.userIndex[q];
      i[p] = this.itemIndex[q];
      w[p] = this.weight[q];
      t[p] = this.timestamp[q];
    }
    return new InteractionDataset(this.users, this.items, u, i, w, t, this.catalog);
  }

  /** Users × items, duplicate events summed, each cell keeping its latest timestamp. Cached. */
  toMatrix(): CsrMatrix {
    this.matrix ??= CsrMatrix.fromTriples(
      this.numUsers,
      this.numItems,
      this.userIndex,
      this.itemIndex,
      this.weight,
      this.timestamp,
    );
    return this.matrix;
  }

  /** Row indices grouped by user, each group sorted by time (stable on ties, so input order breaks them). */
  rowsByUser(): Int32Array[] {
    const groups: number[][] = Array.from({ length: this.numUsers }, () => []);
    for (let p = 0; p < this.size; p++) groups[this.userIndex[p]].push(p);
    return groups.map((g) => Int32Array.from(g.sort((a, b) => this.timestamp[a] - this.timestamp[b] || a - b)));
  }

  /** Latest timestamp, or 0 for an empty dataset. */
  maxTimestamp(): number {
    let max = 0;
    for (let p = 0; p < this.size; p++) if (this.timestamp[p] > max) max = this.timestamp[p];
    return max;
  }
}

/** Streams interactions in (e.g. from a feature-store training-set stream) without holding objects per row. */
export class DatasetBuilder {
  private readonly users = new IdMap();
  private readonly items = new IdMap();
  private readonly catalog = new Map<string, ItemAttributes>();
  private readonly typeWeights: Readonly<Record<string, number>>;
  private u = new Int32Array(1024);
  private i = new Int32Array(1024);
  private w = new Float32Array(1024);
  private t = new Float64Array(1024);
  private n = 0;

  constructor(options: DatasetOptions = {}) {
    this.typeWeights = options.typeWeights ?? DEFAULT_TYPE_WEIGHTS;
    for (const item of options.items ?? []) this.addItem(item);
  }

  addItem(item: ItemAttributes): void {
    this.items.add(item.itemId);
    this.catalog.set(item.itemId, item);
  }

  add(row: Interaction): void {
    const weight = row.weight ?? (row.type !== undefined ? (this.typeWeights[row.type] ?? 1) : 1);
    if (!Number.isFinite(weight) || weight <= 0) return; // implicit feedback: only positive signals count
    if (!Number.isFinite(row.timestamp)) {
      throw new RecsysError('RECSYS.BAD_DATA', `interaction ${row.userId}/${row.itemId} has no valid timestamp`);
    }
    if (this.n === this.u.length) this.grow();
    this.u[this.n] = this.users.add(row.userId);
    this.i[this.n] = this.items.add(row.itemId);
    this.w[this.n] = weight;
    this.t[this.n] = row.timestamp;
    this.n++;
  }

  build(): InteractionDataset {
    const n = this.n;
    return new InteractionDataset(
      this.users,
      this.items,
      this.u.slice(0, n),
      this.i.slice(0, n),
      this.w.slice(0, n),
      this.t.slice(0, n),
      this.catalog,
    );
  }

  private grow(): void {
    const size = this.u.length * 2;
    const u = new Int32Array(size);
    u.set(this.u);
    const i = new Int32Array(size);
    i.set(this.i);
    const w = new Float32Array(size);
    w.set(this.w);
    const t = new Float64Array(size);
    t.set(this.t);
    this.u = u;
    this.i = i;
    this.w = w;
    this.t = t;
  }
}
