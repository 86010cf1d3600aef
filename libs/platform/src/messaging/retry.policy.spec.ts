import { backoffDelay, decideOnFailure } from './retry.policy';

describe(decideOnFailure.name, () => {
  const base = { maxDeliver: 3, backoffMs: [1000, 5000], nonRetryable: false };

  it('retries with the backoff of the attempt that failed, repeating the last value', () => {
    expect(decideOnFailure({ ...base, deliveryCount: 1 })).toEqual({ action: 'retry', delayMs: 1000 });
    expect(decideOnFailure({ ...base, deliveryCount: 2 })).toEqual({ action: 'retry', delayMs: 5000 });
    expect(backoffDelay([1000, 5000], 7)).toBe(5000);
    expect(backoffDelay([], 3)).toBe(0);
  });

  it('dead-letters when the last allowed attempt failed', () => {
    expect(decideOnFailure({ ...base, deliveryCount: 3 })).toEqual({ action: 'dead-letter', cause: 'max-deliver' });
  });

  it('dead-letters a non-retryable failure on the first attempt', () => {
    expect(decideOnFailure({ ...base, deliveryCount: 1, nonRetryable: true })).toEqual({
      action: 'dead-letter',
      cause: 'non-retryable',
    });
  });
});
