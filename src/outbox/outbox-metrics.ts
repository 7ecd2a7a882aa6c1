/**
 * The outbox's Prometheus metrics, in the server's registry: how late results reach each sink
 * (per delivery, and the oldest one still waiting), retries, dead letters, and the backlog.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { SinkBacklog } from '../store/outbox.js';

export interface BacklogSource {
  summary(): { pending: SinkBacklog[]; dead: SinkBacklog[] };
  /** Sink names by id (the label; ids mean nothing on a dashboard). */
  sinkNames(): Map<number, string>;
}

export class OutboxMetrics {
  readonly deliveryLag: Histogram<'sink'>;
  readonly delivered: Counter<'sink'>;
  readonly retries: Counter<'sink'>;
  readonly deadLettered: Counter<'sink'>;

  constructor(registry: Registry, source: BacklogSource) {
    const registers = [registry];
    this.deliveryLag = new Histogram({
      name: 'kensa_sink_delivery_lag_seconds',
      help: 'Time from an inspection to its acknowledged delivery, by sink',
      labelNames: ['sink'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 60, 300, 1800, 3600],
      registers,
    });
    this.delivered = new Counter({ name: 'kensa_sink_deliveries_total', help: 'Results delivered, by sink', labelNames: ['sink'], registers });
    this.retries = new Counter({ name: 'kensa_sink_retries_total', help: 'Failed delivery attempts that will be retried, by sink', labelNames: ['sink'], registers });
    this.deadLettered = new Counter({ name: 'kensa_sink_dead_lettered_total', help: 'Results given up on (dead letters), by sink', labelNames: ['sink'], registers });
    new Gauge({
      name: 'kensa_sink_backlog',
      help: 'Results not delivered, by sink and state (pending: still being tried; dead: dead letters waiting to be re-sent)',
      labelNames: ['sink', 'state'],
      registers,
      collect() {
        this.reset();
        const names = source.sinkNames();
        const { pending, dead } = source.summary();
        for (const [state, rows] of [['pending', pending], ['dead', dead]] as const) {
          for (const row of rows) this.set({ sink: names.get(row.sinkId) ?? String(row.sinkId), state }, row.count);
        }
      },
    });
    new Gauge({
      name: 'kensa_sink_oldest_pending_seconds',
      help: 'Age of the oldest result still waiting for delivery, by sink (0: none waiting)',
      labelNames: ['sink'],
      registers,
      collect() {
        this.reset();
        const names = source.sinkNames();
        const now = Date.now();
        for (const name of names.values()) this.set({ sink: name }, 0);
        for (const row of source.summary().pending) this.set({ sink: names.get(row.sinkId) ?? String(row.sinkId) }, (now - row.oldestMs) / 1000);
      },
    });
  }
}
