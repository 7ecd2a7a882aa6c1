/**
 * Keeps the passes of multi-view parts moving: logs views through the part store, closes passes
 * whose deadline passed (one timer, armed for the earliest open deadline; at start, a sweep closes
 * what passed while the server was down), and answers long-polls when their pass closes.
 */
import type { Logger } from 'pino';
import type { BlobLease } from '../store/blob-store.js';
import type { NewInspection } from '../store/inspections.js';
import type { PartRecord, PartStore } from '../store/parts.js';
import { problems } from './problem.js';

/** setTimeout's longest delay; a later deadline is re-armed when the timer fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const RETRY_MS = 1000;

export class PartTracker {
  private timer: NodeJS.Timeout | null = null;
  private armedAt = Infinity;
  /** Long-polls by the id of the pass they wait for. */
  private readonly waiters = new Map<number, Set<(record: PartRecord) => void>>();
  private waiting = 0;

  constructor(
    private readonly parts: PartStore,
    private readonly maxWaits: number,
    private readonly logger: Logger,
    /** Told when passes closed (their verdicts are then in the outbox). */
    private readonly onClosed: () => void = () => {},
  ) {}

  start(): void {
    this.sweep();
  }

  /** Logs a view of a part of multi-view product `productId` (see PartStore.logView); returns its pass. */
  logView(productId: string, inspection: NewInspection, files: { image: BlobLease; map: BlobLease }, alongside?: () => void): PartRecord {
    const { record, closed } = this.parts.logView(productId, inspection, files, alongside);
    this.announce(closed);
    if (record.status === 'open') this.arm(record.deadlineMs);
    return record;
  }

  /** The pass once it has closed, or as it is after `ms` (or at shutdown) if it is still open then. */
  async closed(record: PartRecord, ms: number): Promise<PartRecord> {
    if (record.status !== 'open' || ms <= 0) return record;
    if (this.waiting >= this.maxWaits) throw problems.tooManyPartWaits(this.maxWaits);
    this.waiting++;
    let wake: (record: PartRecord) => void = () => {};
    const waiters = this.waiters.get(record.id) ?? new Set();
    this.waiters.set(record.id, waiters);
    const timer = setTimeout(() => wake(this.parts.get(record.id) ?? record), ms);
    try {
      return await new Promise<PartRecord>((resolve) => {
        wake = resolve;
        waiters.add(resolve);
      });
    } finally {
      clearTimeout(timer);
      waiters.delete(wake);
      if (waiters.size === 0) this.waiters.delete(record.id);
      this.waiting--;
    }
  }

  /** Stops the timer and answers every long-poll with its pass as it is (so shutdown need not wait for them). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.armedAt = Infinity;
    for (const [id, waiters] of this.waiters) {
      const record = this.parts.get(id);
      if (record) for (const wake of waiters) wake(record);
    }
  }

  private sweep(): void {
    this.timer = null;
    this.armedAt = Infinity;
    let next: number | null;
    try {
      const closed = this.parts.closeOverdue();
      if (closed.length) this.logger.info({ parts: closed.map((p) => `${p.productId}/${p.partId}#${p.pass}`) }, 'parts closed incomplete: views missing at their deadline');
      this.announce(closed);
      next = this.parts.nextDeadline();
    } catch (error) {
      // a database busy for longer than its timeout (a backup, the CLI) must not stop the timer
      this.logger.error({ err: error }, 'closing overdue parts failed; trying again');
      next = Date.now() + RETRY_MS;
    }
    if (next !== null) this.arm(next);
  }

  /** Runs a sweep at `deadlineMs` unless one is due earlier. */
  private arm(deadlineMs: number): void {
    if (deadlineMs >= this.armedAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedAt = deadlineMs;
    this.timer = setTimeout(() => this.sweep(), Math.min(MAX_TIMER_MS, Math.max(0, deadlineMs - Date.now())));
    this.timer.unref();
  }

  private announce(closed: readonly PartRecord[]): void {
    if (closed.length) this.onClosed();
    for (const record of closed) for (const wake of this.waiters.get(record.id) ?? []) wake(record);
  }
}
