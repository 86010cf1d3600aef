/*
 * Input drift: does what shoppers look at now resemble what the model was trained on? Items are put in
 * popularity buckets by their training interactions — bucket 0 the head that holds the first tenth of all
 * training interactions, the last one the long tail — plus one bucket for items the model never saw. The
 * training data spreads over the buckets by construction (about a tenth each); the items in recent serving
 * inputs spread however today's traffic does. The two distributions are compared with the population
 * stability index and the Jensen-Shannon distance. Plain TypeScript: no framework, no clock.
 */

/** Popularity buckets of known items (deciles of interaction mass). */
export const POPULARITY_BUCKETS = 10;

/** Share floor in the PSI, so that an empty bucket on one side does not make it infinite (a common choice). */
export const PSI_EPSILON = 1e-4;

export interface PopularityReference {
  /** Bucket of each item index of the model (0 = head … buckets-1 = tail). */
  readonly bucketOf: Uint8Array;
  /** Share of training interactions per bucket; one more slot at the end for unseen items (always 0 here). */
  readonly expected: Float64Array;
  /** Index of the unseen-items bucket (= number of popularity buckets). */
  readonly unseen: number;
}

/**
 * Buckets items by interaction mass: items sorted by count, most popular first, each goes to the bucket of
 * the cumulative share of interactions before it (`floor(share × buckets)`), so every bucket holds about
 * `1/buckets` of the training interactions however skewed the catalogue is (one item with 30 % fills
 * bucket 0 alone and leaves buckets 1 and 2 empty). Ties keep index order.
 */
export function popularityReference(counts: ArrayLike<number>, buckets = POPULARITY_BUCKETS): PopularityReference {
  if (!Number.isInteger(buckets) || buckets < 1 || buckets > 255) throw new RangeError('buckets must be 1 to 255');
  const n = counts.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => counts[b] - counts[a] || a - b);
  let total = 0;
  for (let i = 0; i < n; i++) total += Math.max(0, counts[i]);
  const bucketOf = new Uint8Array(n);
  const expected = new Float64Array(buckets + 1);
  let before = 0;
  for (const i of order) {
    const c = Math.max(0, counts[i]);
    const b = total > 0 ? Math.min(buckets - 1, Math.floor((before / total) * buckets)) : buckets - 1;
    bucketOf[i] = b;
    if (total > 0) expected[b] += c / total;
    before += c;
  }
  return { bucketOf, expected, unseen: buckets };
}

/** Shares summing to 1 (all zeros stay zeros). */
export function normalise(counts: ArrayLike<number>): Float64Array {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  const out = new Float64Array(counts.length);
  if (total > 0) for (let i = 0; i < counts.length; i++) out[i] = counts[i] / total;
  return out;
}

/**
 * Population stability index Σ (a − e) · ln(a / e) of the actual shares against the expected ones, each
 * share floored at `epsilon`. Rule of thumb: below 0.1 stable, 0.1–0.25 moderate shift, above 0.25 large.
 */
export function populationStabilityIndex(
  expected: ArrayLike<number>,
  actual: ArrayLike<number>,
  epsilon = PSI_EPSILON,
): number {
  sameLength(expected, actual);
  let psi = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i], epsilon);
    const a = Math.max(actual[i], epsilon);
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}

/**
 * Jensen-Shannon distance (the square root of the JS divergence, logarithms base 2): 0 for equal
 * distributions, 1 for disjoint ones, symmetric, and finite whatever buckets are empty.
 */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  sameLength(p, q);
  let divergence = 0;
  for (let i = 0; i < p.length; i++) {
    const m = (p[i] + q[i]) / 2;
    if (p[i] > 0) divergence += 0.5 * p[i] * Math.log2(p[i] / m);
    if (q[i] > 0) divergence += 0.5 * q[i] * Math.log2(q[i] / m);
  }
  return Math.sqrt(Math.max(0, divergence));
}

export interface DriftMeasures {
  psi: number;
  jsDistance: number;
  /** Share of observed inputs the model never saw in training. */
  unseenShare: number;
  /** Inputs the measures are based on. */
  samples: number;
}

/** The measures of observed bucket counts against a reference. */
export function driftMeasures(reference: PopularityReference, observed: ArrayLike<number>): DriftMeasures {
  const actual = normalise(observed);
  let samples = 0;
  for (let i = 0; i < observed.length; i++) samples += observed[i];
  return {
    psi: populationStabilityIndex(reference.expected, actual),
    jsDistance: jensenShannonDistance(reference.expected, actual),
    unseenShare: actual[reference.unseen] ?? 0,
    samples,
  };
}

/**
 * Counts per bucket over a sliding window of `slots` time slices of `slotMs` each: adding is an array
 * increment, old slices are cleared lazily when their time comes round again. The caller passes the time.
 */
export class DriftWindow {
  private readonly counts: Float64Array;
  /** Which slice of time (now / slotMs) each slot currently holds. */
  private readonly epochs: Float64Array;

  constructor(
    readonly bins: number,
    readonly slots: number,
    readonly slotMs: number,
  ) {
    if (bins < 1 || slots < 1 || slotMs <= 0)
      throw new RangeError('a drift window needs bins, slots and a slot length');
    this.counts = new Float64Array(bins * slots);
    this.epochs = new Float64Array(slots).fill(-1);
  }

  add(bin: number, nowMs: number, count = 1): void {
    const epoch = Math.floor(nowMs / this.slotMs);
    const slot = epoch % this.slots;
    if (this.epochs[slot] !== epoch) {
      this.counts.fill(0, slot * this.bins, (slot + 1) * this.bins);
      this.epochs[slot] = epoch;
    }
    this.counts[slot * this.bins + bin] += count;
  }

  /** Counts per bin over the slices within the window that ends at `nowMs`. */
  totals(nowMs: number): Float64Array {
    const epoch = Math.floor(nowMs / this.slotMs);
    const out = new Float64Array(this.bins);
    for (let s = 0; s < this.slots; s++) {
      const e = this.epochs[s];
      if (e < 0 || e > epoch || epoch - e >= this.slots) continue;
      for (let b = 0; b < this.bins; b++) out[b] += this.counts[s * this.bins + b];
    }
    return out;
  }

  clear(): void {
    this.counts.fill(0);
    this.epochs.fill(-1);
  }
}

function sameLength(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new RangeError(`distributions differ in length: ${a.length} and ${b.length}`);
}
