/**
 * Line health in Prometheus, in the server's registry: drift events opened, the latest check of
 * each camera and measure as a share of its limit (1 and above: drifting), the events open now,
 * and the review queue's waiting inspections.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { CameraKey, DriftEvent } from '../store/drift-events.js';
import type { DriftCheck } from './drift-checks.js';

const LABELS = ['product', 'line', 'camera', 'measure'] as const;

export class HealthMetrics {
  private readonly events: Counter<(typeof LABELS)[number]>;
  private readonly ratio: Gauge<(typeof LABELS)[number]>;

  constructor(registry: Registry, source: { openEvents(): DriftEvent[]; waitingReviews(): { productId: string; reason: string; count: number }[] }) {
    this.events = new Counter({
      name: 'kensa_drift_events_total',
      help: 'Drift events opened, by product, line, camera and the measure that moved',
      labelNames: LABELS,
      registers: [registry],
    });
    this.ratio = new Gauge({
      name: 'kensa_drift_ratio',
      help: "The latest drift check's statistic over its limit, by product, line, camera and measure (1 and above: drifting)",
      labelNames: LABELS,
      registers: [registry],
    });
    new Gauge({
      name: 'kensa_drift_open',
      help: 'Drift events open now, by product, line, camera and measure',
      labelNames: LABELS,
      registers: [registry],
      collect() {
        this.reset();
        for (const event of source.openEvents()) this.inc(labels(event, event.measure));
      },
    });
    new Gauge({
      name: 'kensa_review_queue_waiting',
      help: 'Sampled inspections waiting for a QA review, by product and why they were sampled',
      labelNames: ['product', 'reason'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const row of source.waitingReviews()) this.set({ product: row.productId, reason: row.reason }, row.count);
      },
    });
  }

  eventOpened(event: DriftEvent): void {
    this.events.inc(labels(event, event.measure));
  }

  checked(key: CameraKey, check: DriftCheck): void {
    this.ratio.set(labels(key, check.measure), check.limit > 0 ? check.statistic / check.limit : 0);
  }
}

const labels = (key: CameraKey, measure: string) => ({ product: key.productId, line: key.line, camera: key.camera, measure });
