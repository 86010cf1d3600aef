import type { InteractionDataset } from '../core/interaction.dataset';
import { RecsysError } from '../core/recsys.errors';
import { Rng } from '../math/rng';

export const SPLIT_METHODS = [
  'random-user',
  'stratified-user',
  'stratified-item',
  'temporal',
  'leave-last-out',
] as const;
export type SplitMethod = (typeof SPLIT_METHODS)[number];

export interface SplitOptions {
  method: SplitMethod;
  /** Share of interactions kept for training, in (0, 1). Ignored by `leave-last-out`. */
  ratio: number;
  seed: number;
}

export interface DatasetSplit {
  train: InteractionDataset;
  test: InteractionDataset;
  description: string;
}

/**
 * Splits rows of a dataset into train and test; every row goes to exactly one side.
 * - `random-user`: each of a user's interactions is held out independently with probability 1 − ratio; a user
 *   whose draws leave nothing in training keeps one random interaction there (no fully cold test users).
 * - `stratified-user`: each user's interactions are shuffled and exactly round(ratio·n) kept for training
 *   (Microsoft Recommenders' `python_stratified_split(filter_by="user")`, Python's round-half-to-even).
 * - `stratified-item`: the same per item (`filter_by="item"`, the protocol of Recommenders' MovieLens benchmark).
 * - `temporal`: one global cut-off time; the oldest `ratio` share trains, everything at or after the cut-off
 *   time tests (events sharing the cut-off timestamp all go to test, so no simultaneous event leaks back).
 * - `leave-last-out`: each user's latest interaction (ties broken by input order) tests; users with one
 *   interaction only train.
 */
export function splitDataset(data: InteractionDataset, options: SplitOptions): DatasetSplit {
  const { method, ratio, seed } = options;
  if (method !== 'leave-last-out' && !(ratio > 0 && ratio < 1)) {
    throw new RecsysError('RECSYS.BAD_PARAMS', `split ratio must be in (0, 1), got ${ratio}`);
  }
  const rng = new Rng(seed);
  const isTest = new Uint8Array(data.size);
  switch (method) {
    case 'random-user':
      for (const rows of data.rowsByUser()) {
        if (rows.length < 2) continue;
        let kept = 0;
        for (const r of rows) {
          if (rng.next() >= ratio) isTest[r] = 1;
          else kept++;
        }
        if (kept === 0) isTest[rows[rng.int(rows.length)]] = 0;
      }
      break;
    case 'stratified-user':
      stratify(data.rowsByUser(), ratio, rng, isTest);
      break;
    case 'stratified-item':
      stratify(rowsByItem(data), ratio, rng, isTest);
      break;
    case 'temporal': {
      const order = Array.from({ length: data.size }, (_, p) => p).sort(
        (a, b) => data.timestamp[a] - data.timestamp[b] || a - b,
      );
      const cutIndex = Math.min(data.size - 1, Math.max(0, Math.round(ratio * data.size)));
      const cutTime = data.timestamp[order[cutIndex]];
      for (let p = 0; p < data.size; p++) if (data.timestamp[p] >= cutTime) isTest[p] = 1;
      break;
    }
    case 'leave-last-out':
      for (const rows of data.rowsByUser()) if (rows.length >= 2) isTest[rows[rows.length - 1]] = 1;
      break;
    default:
      throw new RecsysError('RECSYS.BAD_PARAMS', `unknown split method ${String(method)}`);
  }
  return partition(data, isTest, method === 'leave-last-out' ? method : `${method} ${ratio} seed ${seed}`);
}

/** k folds over all interactions (Gorse-style cross-validation): fold f tests on every k-th row of a shuffle. */
export function kFoldSplits(data: InteractionDataset, folds: number, seed: number): DatasetSplit[] {
  if (!Number.isInteger(folds) || folds < 2)
    throw new RecsysError('RECSYS.BAD_PARAMS', 'folds must be an integer >= 2');
  const order = new Rng(seed).shuffle(Int32Array.from({ length: data.size }, (_, p) => p));
  const fold = new Int32Array(data.size);
  order.forEach((row, position) => (fold[row] = position % folds));
  return Array.from({ length: folds }, (_, f) =>
    partition(
      data,
      fold.map((x) => (x === f ? 1 : 0)),
      `${folds}-fold ${f + 1}/${folds} seed ${seed}`,
    ),
  );
}

function partition(data: InteractionDataset, isTest: ArrayLike<number>, description: string): DatasetSplit {
  const train: number[] = [];
  const test: number[] = [];
  for (let p = 0; p < data.size; p++) (isTest[p] ? test : train).push(p);
  return { train: data.subset(train), test: data.subset(test), description };
}

function rowsByItem(data: InteractionDataset): Int32Array[] {
  const groups: number[][] = Array.from({ length: data.numItems }, () => []);
  for (let p = 0; p < data.size; p++) groups[data.itemIndex[p]].push(p);
  return groups.map((g) => Int32Array.from(g));
}

function stratify(groups: Int32Array[], ratio: number, rng: Rng, isTest: Uint8Array): void {
  for (const group of groups) {
    if (group.length === 0) continue;
    const rows = rng.shuffle(Int32Array.from(group));
    const keep = roundHalfEven(ratio * rows.length);
    for (let k = keep; k < rows.length; k++) isTest[rows[k]] = 1;
  }
}

/** Python's round(): halves go to the even neighbour, so splits match Recommenders' group sizes. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (Math.abs(diff - 0.5) < 1e-9) return f % 2 === 0 ? f : f + 1;
  return Math.round(x);
}
