/**
 * Line health as the server runs it: every inspection goes to the drift monitor and the review
 * sampler in the transaction that logs it, so its drift event (with the event's outbox entries,
 * the alert to the sinks of its camera) and its review-queue entry commit or roll back with it,
 * in one commit; a queued inspection that QA reviews as a false alarm or as OK goes into the
 * product's good set (when the product's policy says so), where the next training and the
 * re-calibration find it; and the metrics read both. At a start the windows of the active models'
 * cameras are restored from the log, so the dashboard lists them before their next frame.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { addToGoodSet } from '../jobs/good-set.js';
import type { JobFiles } from '../jobs/job-files.js';
import type { AuditLog } from '../store/audit-log.js';
import type { BlobStore } from '../store/blob-store.js';
import type { Db } from '../store/database.js';
import { cameraKeyOf, type CameraKey, type DriftEvent, type DriftEventStore } from '../store/drift-events.js';
import type { GoodSetStore } from '../store/good-set.js';
import type { InspectionStore, ReviewVerdict } from '../store/inspections.js';
import { LineHealthSettingsStore } from '../store/line-health-settings.js';
import type { ModelRegistryStore } from '../store/model-registry.js';
import type { OutboxStore } from '../store/outbox.js';
import { ReviewQueueStore } from '../store/review-queue.js';
import { DriftMonitor, type ObservedInspection } from './drift-monitor.js';
import { HealthMetrics } from './health-metrics.js';
import { ReviewSampler } from './review-sampler.js';

export interface LineHealthDeps {
  db: Db;
  registry: Pick<ModelRegistryStore, 'version' | 'products'>;
  inspections: Pick<InspectionStore, 'get'>;
  events: DriftEventStore;
  /** Where drift alerts join the results on their way to the sinks. */
  outbox: Pick<OutboxStore, 'enqueueDrift'>;
  goodSet: { blobs: BlobStore; files: JobFiles; store: GoodSetStore };
  audit: Pick<AuditLog, 'record'>;
  metrics: Registry;
  logger: Logger;
  /** Told, once committed, of a camera whose open drift events changed (opened or resolved): the line's OPC UA variables. */
  onDriftChanged?: (camera: CameraKey, open: DriftEvent[]) => void;
}

/** An observed inspection's line health, settled once its transaction is. */
export interface Observation {
  /** The transaction committed: the drift events it opened are counted and logged, and a change of the camera's open events told. */
  committed(): void;
  /** It rolled back: the camera's window, open events and queue intervals are read back from the store. */
  rolledBack(): void;
}

export class LineHealth {
  readonly settings: LineHealthSettingsStore;
  readonly events: DriftEventStore;
  readonly queue: ReviewQueueStore;
  readonly monitor: DriftMonitor;
  private readonly sampler: ReviewSampler;
  private readonly metrics: HealthMetrics;

  constructor(private readonly deps: LineHealthDeps) {
    this.settings = new LineHealthSettingsStore(deps.db);
    this.events = deps.events;
    this.queue = new ReviewQueueStore(deps.db);
    this.metrics = new HealthMetrics(deps.metrics, { openEvents: () => this.monitor.openEvents(), waitingReviews: () => this.queue.waitingCounts() });
    this.monitor = new DriftMonitor({
      db: deps.db,
      registry: deps.registry,
      settings: this.settings,
      events: this.events,
      onCheck: (key, check) => this.metrics.checked(key, check),
    });
    this.sampler = new ReviewSampler(this.queue, this.settings);
    this.restore();
  }

  /**
   * An inspection, inside the transaction that logs it (after its row): its camera's window, a
   * drift event with its outbox entries, its review-queue entry. The caller settles the returned
   * observation when the transaction has. A failure here is rolled back to its own savepoint and
   * logged, never thrown: the camera's answer must not depend on the line's bookkeeping.
   */
  observe(inspection: ObservedInspection & { score: number }): Observation {
    const forget = () => this.forget(inspection);
    const camera = cameraKeyOf(inspection);
    const openBefore = this.openIds(camera);
    try {
      const opened = this.deps.db.transaction(() => {
        const events = this.monitor.observe(inspection);
        for (const event of events) this.deps.outbox.enqueueDrift(event);
        this.sampler.offer(inspection);
        return events;
      })();
      const changed = this.openIds(camera) !== openBefore;
      const committed = () => {
        opened.forEach((event) => this.announce(event));
        if (changed) this.deps.onDriftChanged?.(camera, this.openEventsOf(camera));
      };
      return { committed, rolledBack: forget };
    } catch (error) {
      this.deps.logger.error({ err: error, inspection: inspection.id }, 'line health could not take an inspection');
      forget();
      return { committed: () => undefined, rolledBack: forget };
    }
  }

  private announce(event: DriftEvent): void {
    this.metrics.eventOpened(event);
    this.deps.logger.warn({ drift: { ...cameraKeyOf(event), measure: event.measure, statistic: event.statistic, limit: event.limit, event: event.id } }, 'drift on a camera');
  }

  /** The camera's open events, oldest first. */
  private openEventsOf(camera: CameraKey): DriftEvent[] {
    return this.monitor
      .openEvents()
      .filter((event) => event.productId === camera.productId && event.line === camera.line && event.camera === camera.camera)
      .sort((a, b) => a.id - b.id);
  }

  /** The camera's open events as one comparable value: whether an observation opened or resolved one. */
  private openIds(camera: CameraKey): string {
    return this.openEventsOf(camera).map((event) => event.id).join();
  }

  private forget(inspection: ObservedInspection): void {
    const key = cameraKeyOf(inspection);
    this.sampler.forget(key);
    try {
      this.monitor.forget(key);
    } catch (error) {
      this.deps.logger.error({ err: error, inspection: inspection.id }, 'line health could not read a camera back from the store');
    }
  }

  /** The windows of every camera of the active models, from the log: what the dashboard shows before the next frames. */
  private restore(): void {
    for (const product of this.deps.registry.products()) {
      if (product.activeModelId === null) continue;
      try {
        this.monitor.restore(product.id, product.activeModelId);
      } catch (error) {
        // the windows fill again as frames arrive
        this.deps.logger.error({ err: error, product: product.id }, 'line health could not restore the windows');
      }
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
