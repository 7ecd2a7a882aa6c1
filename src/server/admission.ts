/**
 * The bound on inspections in progress (decoding, waiting for a batch, running, storing). When it
 * is reached, new inspections are refused at once with 503 and a Retry-After estimated from the
 * recent completion rate, so latency stays bounded under overload instead of growing without
 * limit. Refusing early also spares the work of decoding an image that would only wait.
 */
export class AdmissionGate {
  private inProgress = 0;
  private lastCompletion = 0;
  /** Smoothed milliseconds between completions while busy: the service interval. */
  private intervalMs = 0;

  constructor(readonly capacity: number) {}

  get depth(): number {
    return this.inProgress;
  }

  tryEnter(): boolean {
    if (this.inProgress >= this.capacity) return false;
    this.inProgress++;
    return true;
  }

  leave(): void {
    const now = performance.now();
    // Only gaps while work was queued measure the service rate (not idle time between requests).
    if (this.inProgress > 1 && this.lastCompletion > 0) {
      const gap = now - this.lastCompletion;
      this.intervalMs = this.intervalMs === 0 ? gap : 0.9 * this.intervalMs + 0.1 * gap;
    }
    this.lastCompletion = now;
    this.inProgress--;
  }

  /** Seconds until the work now in progress should have drained: at least 1, at most 30. */
  retryAfterSeconds(): number {
    return Math.min(30, Math.max(1, Math.ceil((this.inProgress * this.intervalMs) / 1000)));
  }
}
