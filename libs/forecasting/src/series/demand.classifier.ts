import { ModelName } from '../models/model.types';

export type DemandClass = 'smooth' | 'erratic' | 'intermittent' | 'lumpy' | 'no_demand';

export interface DemandClassification {
  demandClass: DemandClass;
  /** Average inter-demand interval: periods observed / periods with demand. */
  adi: number;
  /** Squared coefficient of variation of the non-zero demand sizes. */
  cv2: number;
  periods: number;
  demandPeriods: number;
}

/** Syntetos, Boylan & Croston (2005) cut-offs. */
export const ADI_CUTOFF = 1.32;
export const CV2_CUTOFF = 0.49;

/**
 * Syntetos-Boylan-Croston classification: ADI ≥ 1.32 means intermittent occurrence, CV² ≥ 0.49 means erratic sizes.
 * NaN values (censored periods) are ignored.
 */
export function classifyDemand(
  values: ArrayLike<number>,
  cutoffs = { adi: ADI_CUTOFF, cv2: CV2_CUTOFF },
): DemandClassification {
  let periods = 0;
  let k = 0;
  let s = 0;
  let s2 = 0;
  for (let t = 0; t < values.length; t++) {
    const v = values[t];
    if (!Number.isFinite(v)) continue;
    periods++;
    if (v > 0) {
      k++;
      s += v;
      s2 += v * v;
    }
  }
  if (k === 0) return { demandClass: 'no_demand', adi: Number.POSITIVE_INFINITY, cv2: 0, periods, demandPeriods: 0 };
  const adi = periods / k;
  const mu = s / k;
  const varSizes = k > 1 ? Math.max(0, (s2 - k * mu * mu) / (k - 1)) : 0;
  const cv2 = varSizes / (mu * mu);
  const intermittent = adi >= cutoffs.adi;
  const erratic = cv2 >= cutoffs.cv2;
  const demandClass: DemandClass = intermittent ? (erratic ? 'lumpy' : 'intermittent') : erratic ? 'erratic' : 'smooth';
  return { demandClass, adi, cv2, periods, demandPeriods: k };
}

const SMOOTH_CANDIDATES: readonly ModelName[] = [
  'seasonal_naive',
  'naive',
  'moving_average',
  'ses',
  'holt',
  'holt_winters_additive',
  'holt_winters_multiplicative',
  'ets',
  'theta',
];
const INTERMITTENT_CANDIDATES: readonly ModelName[] = ['sba', 'croston', 'tsb', 'adida', 'moving_average'];

/**
 * Which models compete for a series of this class. Smooth and erratic series get the exponential-smoothing family,
 * Theta and the benchmarks; intermittent and lumpy series get the intermittent-demand methods (Croston, SBA, TSB,
 * ADIDA) plus a moving average, because smoothing methods fitted to many zeros chase the last spike
 * (Syntetos & Boylan 2005; Kourentzes 2014). SBA comes first: it wins ties as the least biased.
 */
export function candidatesFor(demandClass: DemandClass): ModelName[] {
  switch (demandClass) {
    case 'no_demand':
      return ['zero'];
    case 'intermittent':
    case 'lumpy':
      return [...INTERMITTENT_CANDIDATES];
    default:
      return [...SMOOTH_CANDIDATES];
  }
}

export function isIntermittentClass(demandClass: DemandClass): boolean {
  return demandClass === 'intermittent' || demandClass === 'lumpy';
}
