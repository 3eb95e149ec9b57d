/**
 * A node failure that retrying cannot fix (bad address, 4xx from a webhook, missing owner).
 * The interpreter maps it to a non-retryable activity failure; every other thrown error is
 * retried per the node's retry policy.
 */
export class NonRetryableNodeError extends Error {
  override readonly name = 'NonRetryableNodeError';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}
