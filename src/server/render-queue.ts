/**
 * Renders run a few at a time, in arrival order, with a bounded number waiting. Each render holds
 * a libuv thread and libvips' own threads for as long as it decodes and encodes, on the cores the
 * inspections need; past the bound a render is refused at once (503 with Retry-After) instead of
 * queueing without end, where every waiting request would only be answered later.
 */
import { problems } from './problem.js';

export class RenderQueue {
  private active = 0;
  private readonly waiters: (() => void)[] = [];
  /** Smoothed milliseconds per render, for Retry-After. */
  private renderMs = 0;

  constructor(
    readonly concurrency: number,
    readonly maxWaiting: number,
  ) {}

  get running(): number {
    return this.active;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  async run<T>(render: () => Promise<T>): Promise<T> {
    if (this.active < this.concurrency) this.active++;
    else if (this.waiters.length < this.maxWaiting) await new Promise<void>((resolve) => this.waiters.push(resolve));
    else throw problems.tooManyRenders(this.retryAfterSeconds());

    const started = performance.now();
    try {
      return await render();
    } finally {
      const ms = performance.now() - started;
      this.renderMs = this.renderMs === 0 ? ms : 0.8 * this.renderMs + 0.2 * ms;
      // The slot passes straight to the next waiter, so `active` never exceeds `concurrency`.
      const next = this.waiters.shift();
      if (next) next();
      else this.active--;
    }
  }

  /** Seconds until the renders now queued should be done: at least 1, at most 30. */
  private retryAfterSeconds(): number {
    const queued = this.active + this.waiters.length;
    return Math.min(30, Math.max(1, Math.ceil((queued * this.renderMs) / this.concurrency / 1000)));
  }
}
