/**
 * One sink's delivery loop: its oldest undelivered entry, then the next, never two at once, so
 * the receiver sees them in order. A failed attempt is retried after a growing delay (the head
 * blocks the entries behind it, which keeps the order); once the entry is older than the sink's
 * dead-letter age it becomes a dead letter and the next one goes. The loop sleeps until woken
 * (a new inspection), the next retry is due, or a poll interval passed.
 */
import type { Logger } from 'pino';
import type { OutboxEntry, OutboxStore } from '../store/outbox.js';
import type { SinkRecord } from '../store/sinks.js';
import type { OutboxMetrics } from './outbox-metrics.js';
import { retryDelayMs } from './retry-delay.js';
import type { OutboundMessage, Sink } from './sink.js';

/** How often an idle lane looks for entries it was not woken for (written by another process). */
const POLL_MS = 1_000;

export interface LaneDependencies {
  outbox: Pick<OutboxStore, 'head' | 'delivered' | 'failed' | 'deadLetter'>;
  /** The message of an entry. */
  compose(entry: OutboxEntry, sink: SinkRecord): Promise<OutboundMessage>;
  metrics: OutboxMetrics;
  logger: Logger;
  retryMaxMs: number;
}

export class SinkLane {
  private stopping = false;
  private readonly abort = new AbortController();
  private wakeUp: (() => void) | null = null;
  private readonly loop: Promise<void>;

  constructor(
    readonly record: SinkRecord,
    private readonly sink: Sink,
    private readonly deps: LaneDependencies,
  ) {
    this.loop = this.run();
  }

  wake(): void {
    this.wakeUp?.();
  }

  /** Ends the loop: an attempt in flight is aborted (and retried after a restart). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    this.wake();
    await this.loop;
    await this.sink.close();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        const entry = this.deps.outbox.head(this.record.id);
        const wait = entry ? entry.nextAttemptMs - Date.now() : POLL_MS;
        if (entry && wait <= 0) await this.attempt(entry);
        else await this.sleep(Math.min(wait, POLL_MS));
      } catch (error) {
        // the database itself failed: wait rather than spin
        this.deps.logger.error({ err: error, sink: this.record.name }, 'the outbox lane failed');
        await this.sleep(POLL_MS);
      }
    }
  }

  private async attempt(entry: OutboxEntry): Promise<void> {
    const { outbox, metrics } = this.deps;
    const sink = { sink: this.record.name };
    try {
      const message = await this.deps.compose(entry, this.record);
      await this.sink.deliver(message, this.abort.signal);
    } catch (error) {
      // cut short by a shutdown: not the receiver's failure, and not counted against the entry
      if (this.stopping) return;
      const reason = error instanceof Error ? error.message : String(error);
      const now = Date.now();
      if (now - entry.createdMs >= this.record.deadLetterAfterMs) {
        outbox.deadLetter(entry.id, reason, now);
        metrics.deadLettered.inc(sink);
        this.deps.logger.warn({ sink: this.record.name, inspectionId: entry.inspectionId, attempts: entry.attempts + 1, reason }, 'a result became a dead letter');
      } else {
        outbox.failed(entry.id, reason, now + retryDelayMs(entry.attempts, this.deps.retryMaxMs));
        metrics.retries.inc(sink);
      }
      return;
    }
    const now = Date.now();
    outbox.delivered(entry.id, now);
    metrics.delivered.inc(sink);
    metrics.deliveryLag.observe(sink, (now - entry.createdMs) / 1000);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}
