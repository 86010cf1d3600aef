/**
 * Throw from a handler when retrying cannot help (invalid payload, unknown schema version):
 * the message goes to the dead-letter stream at once instead of after maxDeliver attempts.
 */
export class NonRetryableError extends Error {
  override readonly name: string = 'NonRetryableError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function isNonRetryable(err: unknown): boolean {
  return err instanceof NonRetryableError || (err instanceof Error && err.name === 'NonRetryableError');
}

/** Provisioning asked for a change JetStream cannot make in place (storage, retention). */
export class StreamConfigConflictError extends Error {
  override readonly name: string = 'StreamConfigConflictError';
}
