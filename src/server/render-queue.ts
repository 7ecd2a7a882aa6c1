/**
 * Renders run a few at a time, with a bounded number waiting. Each render holds a libuv thread and
 * libvips' own threads for as long as it decodes and encodes, on the cores the inspections need.
 *
 * Waiting renders queue in lanes, and a free slot goes to the first lane with a waiter, in arrival
 * order within a lane:
 * - interactive: a reviewer's heatmap, overlay or mask. Past its bound a render is refused at once
 *   (503 with Retry-After) instead of queueing without end, where every waiting request would only
 *   be answered later.
 * - thumbnail: a list's thumbnails. A refused thumbnail leaves a hole in the list, so they wait
 *   rather than being refused beside the interactive bound; their own, larger bound (many lists'
 *   worth: a browser asks for six at a time) only guards the server against a flood.
 * - background: an export's overlays, one at a time per export, wait without a bound behind
 *   everything else, so a reviewer's picture never waits for an export.
 */
import { problems } from './problem.js';

export type RenderLane = 'interactive' | 'thumbnail' | 'background';

/** The order in which waiting lanes are served. */
const LANES: readonly RenderLane[] = ['interactive', 'thumbnail', 'background'];

export class RenderQueue {
  private active = 0;
  private readonly waiters: Record<RenderLane, (() => void)[]> = { interactive: [], thumbnail: [], background: [] };
  /** Smoothed milliseconds per render, for Retry-After. */
  private renderMs = 0;

  constructor(
    readonly concurrency: number,
    /** Renders that may wait in each lane (Infinity: no bound). */
    readonly maxWaiting: Readonly<Record<RenderLane, number>>,
  ) {}

  get running(): number {
    return this.active;
  }

  /** Renders waiting in every lane. */
  get waiting(): number {
    return LANES.reduce((sum, lane) => sum + this.waiters[lane].length, 0);
  }

  async run<T>(render: () => Promise<T>, lane: RenderLane = 'interactive'): Promise<T> {
    if (this.active < this.concurrency) this.active++;
    else if (this.waiters[lane].length < this.maxWaiting[lane]) await new Promise<void>((resolve) => this.waiters[lane].push(resolve));
    else throw problems.tooManyRenders(this.retryAfterSeconds(lane));

    const started = performance.now();
    try {
      return await render();
    } finally {
      const ms = performance.now() - started;
      this.renderMs = this.renderMs === 0 ? ms : 0.8 * this.renderMs + 0.2 * ms;
      // The slot passes straight to the next waiter, so `active` never exceeds `concurrency`.
      const nextLane = LANES.find((waiting) => this.waiters[waiting].length > 0);
      const next = nextLane && this.waiters[nextLane].shift();
      if (next) next();
      else this.active--;
    }
  }

  /** Seconds until the renders served before one more of `lane` should be done: at least 1, at most 30. */
  private retryAfterSeconds(lane: RenderLane): number {
    const ahead = LANES.slice(0, LANES.indexOf(lane) + 1).reduce((sum, earlier) => sum + this.waiters[earlier].length, this.active);
    return Math.min(30, Math.max(1, Math.ceil((ahead * this.renderMs) / this.concurrency / 1000)));
  }
}
