/**
 * Shadow mode: a candidate version scores the live images of its product beside the active
 * version, and its decision is stored per inspection, deciding nothing. The camera never waits
 * for it: an inspection only queues its image here after its row is written, and the queue is
 * worked through only while no live inspection is in progress, one image at a time, through the
 * same micro-batcher (so a live image waits at most for one shadow image's inference). Under
 * sustained load the queue stays bounded by dropping its oldest images; the count is reported.
 */
import type { Logger } from 'pino';
import { decodeImage } from '../image/decode.js';
import type { ActiveModels, ServingModel } from '../server/active-models.js';
import type { AdmissionGate } from '../server/admission.js';
import type { MicroBatcher } from '../server/inference/batcher.js';
import type { NewInspection } from '../store/inspections.js';
import type { ShadowResultStore } from '../store/shadow-results.js';
import { withImageThreshold } from './calibration-override.js';

export interface ShadowScorerDeps {
  models: ActiveModels;
  batcher: MicroBatcher<ServingModel>;
  admission: AdmissionGate;
  results: ShadowResultStore;
  logger: Logger;
  maxPixels: number;
}

interface Pending {
  inspection: NewInspection;
  image: Uint8Array;
}

/** Images waiting at most (each holds its upload in memory). */
const CAPACITY = 32;
/** How soon to look again while live inspections are in progress. */
const BUSY_RETRY_MS = 5;

export class ShadowScorer {
  private readonly queue: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<void> | null = null;
  private stopped = false;
  /** Images not scored because the queue was full: live traffic left no idle time. */
  dropped = 0;

  constructor(private readonly deps: ShadowScorerDeps) {}

  /** Queue a logged inspection's image if its product has a shadow version; returns at once. */
  offer(inspection: NewInspection, image: Uint8Array): void {
    if (this.stopped || !this.deps.models.hasShadow(inspection.productId)) return;
    this.queue.push({ inspection, image });
    if (this.queue.length > CAPACITY) {
      this.queue.shift();
      this.dropped++;
    }
    this.wake(0);
  }

  /** Stop scoring; waits for the image being scored. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.queue.length = 0;
    await this.current;
  }

  private wake(delayMs: number): void {
    if (this.timer || this.current || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.next();
    }, delayMs);
  }

  private next(): void {
    if (this.queue.length === 0 || this.stopped) return;
    if (this.deps.admission.depth > 0) return this.wake(BUSY_RETRY_MS);
    const pending = this.queue.shift() as Pending;
    this.current = this.score(pending)
      .catch((error: unknown) => this.deps.logger.warn({ inspection: pending.inspection.id, err: error }, 'shadow scoring failed'))
      .finally(() => {
        this.current = null;
        this.wake(0);
      });
  }

  private async score({ inspection, image }: Pending): Promise<void> {
    const { models, batcher, results, maxPixels } = this.deps;
    const model = models.acquireShadow(inspection.productId);
    if (!model) return;
    try {
      const decoded = await decodeImage(image, model.record.manifest.input, { maxPixels });
      const { verdict } = await batcher.submit(model, decoded);
      const shadow = withImageThreshold(verdict, model.imageThreshold);
      results.insert({
        inspectionId: inspection.id,
        modelVersionId: model.record.id,
        decision: shadow.decision,
        score: shadow.score,
        rawScore: shadow.rawScore,
        threshold: shadow.threshold,
        disagrees: shadow.decision !== inspection.decision,
        createdMs: Date.now(),
      });
    } finally {
      models.release(model);
    }
  }
}
