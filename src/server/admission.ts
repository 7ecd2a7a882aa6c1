/**
 * The bound on inspections in progress (decoding, waiting for a batch, running, storing). When it
 * is reached, new inspections are refused at once with 503 and a Retry-After estimated from the
 * recent completion rate, so latency stays bounded under overload instead of growing without
 * limit. Refusing early also spares the work of decoding an image that would only wait.
 *
 * Images still arriving hold no slot (a stalled camera must not block the others), but they are
 * bounded too, at twice the capacity: each may buffer up to maxUploadBytes, so memory stays bounded
 * however many cameras connect at once, and a stalled one holds its place only until its body
 * deadline.
 */
export class AdmissionGate {
  private inProgress = 0;
  private receiving = 0;
  private lastCompletion = 0;
  /** Smoothed milliseconds between completions while busy: the service interval. */
  private intervalMs = 0;

  constructor(readonly capacity: number) {}

  get depth(): number {
    return this.inProgress;
  }

  get full(): boolean {
    return this.inProgress >= this.capacity;
  }

  /** Room for one more image to arrive, unless the gate is full or too many are arriving already. */
  tryStartReceiving(): boolean {
    if (this.full || this.receiving >= 2 * this.capacity) return false;
    this.receiving++;
    return true;
  }

  doneReceiving(): void {
    this.receiving--;
  }

  tryEnter(): boolean {
    if (this.full) return false;
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
