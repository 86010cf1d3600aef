export type FailureDecision =
  | { readonly action: 'retry'; readonly delayMs: number }
  | { readonly action: 'dead-letter'; readonly cause: 'non-retryable' | 'max-deliver' };

/**
 * What to do after delivery `deliveryCount` (1-based) of a message failed. Retry n waits
 * `backoffMs[n - 1]`; the last value repeats; an empty schedule retries at once.
 */
export function decideOnFailure(input: {
  readonly deliveryCount: number;
  readonly maxDeliver: number;
  readonly backoffMs: readonly number[];
  readonly nonRetryable: boolean;
}): FailureDecision {
  if (input.nonRetryable) return { action: 'dead-letter', cause: 'non-retryable' };
  if (input.deliveryCount >= input.maxDeliver) return { action: 'dead-letter', cause: 'max-deliver' };
  return { action: 'retry', delayMs: backoffDelay(input.backoffMs, input.deliveryCount) };
}

export function backoffDelay(backoffMs: readonly number[], deliveryCount: number): number {
  if (backoffMs.length === 0) return 0;
  const index = Math.min(Math.max(deliveryCount, 1), backoffMs.length) - 1;
  return backoffMs[index];
}
