import { IdMap, InteractionDataset, ItemAttributes } from '@app/recsys';

/** Rows of a dataset as plain typed arrays, so a split crosses the process boundary cheaply (structured clone). */
export interface Columns {
  user: Int32Array;
  item: Int32Array;
  weight: Float32Array;
  time: Float64Array;
}

/** One fit-and-evaluate job, run in a fresh process so time and peak memory belong to one model only. */
export interface BenchJob {
  protocol: string;
  model: string;
  params?: Record<string, unknown>;
  k: number;
  /** Seed or fold, for the record. */
  replicate: number;
  users: string[];
  items: string[];
  catalog: ItemAttributes[];
  train: Columns;
  test: Columns;
}

export interface BenchJobResult {
  model: string;
  replicate: number;
  fitSeconds: number;
  engine: string;
  /** Growth of the process's peak resident set during the fit (the data was already loaded). */
  peakRssMb: number;
  /** Heap + typed arrays the fitted model keeps, measured after a full GC. */
  retainedMb: number;
  artifactMb: number;
  users: number;
  precision: number;
  recall: number;
  ndcg: number;
  map: number;
  mrr: number;
  hitRate: number;
  coverage: number;
  novelty: number;
  diversity: number;
  notes?: string[];
  error?: string;
}

export function toColumns(d: InteractionDataset): Columns {
  return { user: d.userIndex, item: d.itemIndex, weight: d.weight, time: d.timestamp };
}

export function fromColumns(
  users: IdMap,
  items: IdMap,
  catalog: ReadonlyMap<string, ItemAttributes>,
  c: Columns,
): InteractionDataset {
  return new InteractionDataset(users, items, c.user, c.item, c.weight, c.time, catalog);
}
