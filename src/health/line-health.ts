/**
 * Line health as the server runs it: every logged inspection goes to the drift monitor and the
 * review sampler; a drift event goes out as an alert through the outbox, to the sinks of its
 * camera, beside the inspections' results; a queued inspection that QA reviews as a false alarm
 * or as OK goes into the product's good set (when the product's policy says so), where the next
 * training and the re-calibration find it; and the metrics read both.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { addToGoodSet } from '../jobs/good-set.js';
import type { JobFiles } from '../jobs/job-files.js';
import type { AuditLog } from '../store/audit-log.js';
import type { BlobStore } from '../store/blob-store.js';
import type { Db } from '../store/database.js';
import type { DriftEventStore } from '../store/drift-events.js';
import type { GoodSetStore } from '../store/good-set.js';
import type { InspectionRecord, InspectionStore, ReviewVerdict } from '../store/inspections.js';
import { LineHealthSettingsStore } from '../store/line-health-settings.js';
import type { ModelRegistryStore } from '../store/model-registry.js';
import type { OutboxStore } from '../store/outbox.js';
import { ReviewQueueStore } from '../store/review-queue.js';
import { DriftMonitor } from './drift-monitor.js';
import { HealthMetrics } from './health-metrics.js';
import { ReviewSampler } from './review-sampler.js';

export interface LineHealthDeps {
  db: Db;
  registry: Pick<ModelRegistryStore, 'version'>;
  inspections: Pick<InspectionStore, 'get'>;
  events: DriftEventStore;
  /** Where drift alerts join the results on their way to the sinks. */
  outbox: Pick<OutboxStore, 'enqueueDrift'>;
  goodSet: { blobs: BlobStore; files: JobFiles; store: GoodSetStore };
  audit: Pick<AuditLog, 'record'>;
  metrics: Registry;
  logger: Logger;
}

export class LineHealth {
  readonly settings: LineHealthSettingsStore;
  readonly events: DriftEventStore;
  readonly queue: ReviewQueueStore;
  readonly monitor: DriftMonitor;
  private readonly sampler: ReviewSampler;

  constructor(private readonly deps: LineHealthDeps) {
    this.settings = new LineHealthSettingsStore(deps.db);
    this.events = deps.events;
    this.queue = new ReviewQueueStore(deps.db);
    const metrics = new HealthMetrics(deps.metrics, { openEvents: () => this.monitor.openEvents(), waitingReviews: () => this.queue.waitingCounts() });
    this.monitor = new DriftMonitor({
      db: deps.db,
      registry: deps.registry,
      settings: this.settings,
      events: this.events,
      logger: deps.logger,
      onEvent: (event) => {
        deps.outbox.enqueueDrift(event);
        metrics.eventOpened(event);
      },
      onCheck: (key, check) => metrics.checked(key, check),
    });
    this.sampler = new ReviewSampler(this.queue, this.settings);
  }

  /**
   * A logged inspection, already answered: its camera's window and the review queue. A failure
   * here is logged, never thrown: the camera's answer must not depend on the line's bookkeeping.
   */
  observe(inspection: InspectionRecord): void {
    try {
      this.monitor.observe(inspection);
      this.sampler.offer(inspection);
    } catch (error) {
      this.deps.logger.error({ err: error, inspection: inspection.id }, 'line health could not take an inspection');
    }
  }

  /**
   * A review was recorded. A queued inspection reviewed as good is what the queue is for: its
   * image joins the good set, by the person who reviewed it, unless the product's policy leaves
   * that to a trainer. Returns whether it was added.
   */
  async reviewed(inspectionId: string, verdict: ReviewVerdict, actorKeyId: number | null): Promise<boolean> {
    if (verdict !== 'false_alarm' && verdict !== 'ok') return false;
    const entry = this.queue.get(inspectionId);
    if (!entry || !this.settings.get(entry.productId).review.feedGoodSet) return false;
    const inspection = this.deps.inspections.get(inspectionId);
    if (!inspection?.imageBlob) return false;
    try {
      const { image, added } = await addToGoodSet(inspection, inspection.imageBlob, this.deps.goodSet, actorKeyId);
      if (added) {
        this.deps.audit.record({
          actorKeyId,
          action: 'good-set.add',
          target: `${inspection.productId}/${inspection.id}`,
          detail: { product: inspection.productId, inspection: inspection.id, file: image.file, note: `review queue (${entry.reason}) reviewed as ${verdict}` },
        });
      }
      return added;
    } catch (error) {
      // the review stands; a trainer can still add the image by hand
      this.deps.logger.error({ err: error, inspection: inspectionId }, 'a reviewed queue item could not join the good set');
      return false;
    }
  }
}
