/**
 * Delivers the outbox: one lane per configured sink, each sending its own entries in order,
 * independently of the others and of inspections (which only wake the lanes). Started with the
 * server, so entries left undelivered by a restart go out first; `reload` after a sink changes.
 */
import type { Logger } from 'pino';
import type { OutboxEntry, OutboxStore } from '../store/outbox.js';
import type { SinkRecord, SinkStore } from '../store/sinks.js';
import type { OutboxMetrics } from './outbox-metrics.js';
import type { OutboundMessage } from './sink.js';
import { sinkKind } from './sink-kinds.js';
import { SinkLane } from './sink-lane.js';

export interface DispatcherDependencies {
  sinks: Pick<SinkStore, 'list' | 'get'>;
  outbox: Pick<OutboxStore, 'head' | 'delivered' | 'failed' | 'deadLetter' | 'pruneDelivered'>;
  compose(entry: OutboxEntry, sink: SinkRecord): Promise<OutboundMessage>;
  metrics: OutboxMetrics;
  logger: Logger;
  /** The longest wait between two attempts of one entry. */
  retryMaxMs: number;
}

/** Delivered entries are kept this long (to answer "was it sent?"), then pruned: the inspections themselves stay in the log. */
const DELIVERED_KEPT_MS = 7 * 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;

export class OutboxDispatcher {
  private readonly lanes = new Map<number, SinkLane>();
  private stopped = false;
  private pruning: NodeJS.Timeout | null = null;
  private waking: NodeJS.Immediate | null = null;

  constructor(private readonly deps: DispatcherDependencies) {}

  start(): void {
    for (const record of this.deps.sinks.list()) this.open(record);
    this.prune();
    this.pruning = setInterval(() => this.prune(), PRUNE_EVERY_MS).unref();
  }

  /**
   * New entries were written: the lanes look at the next turn of the event loop rather than at
   * their next poll. Not at once: woken in the inspection's own turn, they would compose their
   * messages before the camera's answer is written.
   */
  wake(): void {
    if (this.waking) return;
    this.waking = setImmediate(() => {
      this.waking = null;
      for (const lane of this.lanes.values()) lane.wake();
    });
  }

  /** Sink `id` was created, replaced or removed: its lane restarts with what is stored now. */
  async reload(id: number): Promise<void> {
    const lane = this.lanes.get(id);
    this.lanes.delete(id);
    await lane?.stop();
    const record = this.deps.sinks.get(id);
    if (record && !this.stopped) this.open(record);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pruning) clearInterval(this.pruning);
    if (this.waking) clearImmediate(this.waking);
    const lanes = [...this.lanes.values()];
    this.lanes.clear();
    await Promise.all(lanes.map((lane) => lane.stop()));
  }

  private prune(): void {
    try {
      this.deps.outbox.pruneDelivered(Date.now() - DELIVERED_KEPT_MS);
    } catch (error) {
      this.deps.logger.error({ err: error }, 'pruning delivered outbox entries failed');
    }
  }

  private open(record: SinkRecord): void {
    try {
      const kind = sinkKind(record.kind);
      const sink = kind.create(kind.settings.parse(record.settings));
      this.lanes.set(record.id, new SinkLane(record, sink, this.deps));
    } catch (error) {
      // stored settings this kensa no longer accepts: its entries wait (and age) until an admin fixes the sink
      this.deps.logger.error({ err: error, sink: record.name }, 'a sink could not be started');
    }
  }
}
