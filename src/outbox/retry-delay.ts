/**
 * How long to wait before the next attempt after `failures` failed ones: capped exponential
 * backoff with jitter (half fixed, half random), so receivers that come back are not hit by every
 * sink's retries in the same instant, and a receiver down for hours is tried every `maxMs`.
 */
const RETRY_BASE_MS = 250;

export function retryDelayMs(failures: number, maxMs: number, draw: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, RETRY_BASE_MS * 2 ** Math.min(failures, 30));
  return ceiling / 2 + (draw() * ceiling) / 2;
}
