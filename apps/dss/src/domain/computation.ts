/**
 * A recomputation of forecasts and suggestions over a scope, run in the background. Progress is counted in
 * SKU × store pairs; one pair that cannot be computed is counted and sampled, never fatal to the run.
 */
export type ComputationState = 'pending' | 'running' | 'succeeded' | 'failed';

export interface ComputationScope {
  storeId?: string;
  category?: string;
  /** Empty = every SKU (within the store and category, when given). */
  skus: string[];
}

export interface PairFailure {
  sku: string;
  storeId: string;
  message: string;
}

export interface Computation {
  computationId: string;
  requestId?: string;
  scope: ComputationScope;
  state: ComputationState;
  /** `queued`, `reading`, `forecasting`, `done`, … */
  stage: string;
  done: number;
  total: number;
  unitsPerSecond: number;
  suggestionCount: number;
  failedCount: number;
  /** The first failures, for a person to look into. */
  failures: PairFailure[];
  errorMessage: string;
  requestedBy: string;
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
}

/** How many failures a computation keeps as samples (the count is always complete). */
export const FAILURE_SAMPLES = 20;

/** One line a person can act on, e.g. "2 of 50 SKU × store pairs could not be computed: A1 at S1: …". */
export function failureSummary(c: Pick<Computation, 'failedCount' | 'total' | 'failures'>): string {
  if (c.failedCount === 0) return '';
  const first = c.failures[0];
  const sample = first ? `; first: ${first.sku} at ${first.storeId}: ${first.message}` : '';
  return `${c.failedCount} of ${c.total} SKU × store pairs could not be computed${sample}`;
}
