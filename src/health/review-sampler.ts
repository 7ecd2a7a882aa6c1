/**
 * The sampling policy that fills the review queue: every NG call, every inspection whose score is
 * within the product's band around the threshold, and a random share of the clear OK parts, so
 * the images that teach the model most reach QA. A camera queues at most one inspection per
 * reason in the policy's minimum interval: a stopped line sending the same frame again and again
 * does not fill the queue with it, and a sampled OK part never holds back an NG.
 */
import { cameraKeyOf, type CameraKey } from '../store/drift-events.js';
import type { InspectionRecord, NewInspection } from '../store/inspections.js';
import type { LineHealthSettingsStore } from '../store/line-health-settings.js';
import { QUEUE_REASONS, type QueueReason, type ReviewQueueStore } from '../store/review-queue.js';
import type { ReviewPolicy } from './settings.js';

/** The score (0..1) at which a part is called NG. */
const THRESHOLD = 0.5;

/** Why the policy would queue an inspection, or null; `draw` is uniform in [0, 1). */
export function sampleReason(inspection: Pick<InspectionRecord, 'decision' | 'score'>, policy: ReviewPolicy, draw: () => number): QueueReason | null {
  if (policy.allNg && inspection.decision === 'NG') return 'ng';
  if (Math.abs(inspection.score - THRESHOLD) <= policy.band) return 'near-threshold';
  if (inspection.decision === 'OK' && draw() < policy.okShare) return 'ok-sample';
  return null;
}

export class ReviewSampler {
  /** Latest queued time per camera and reason; read from the queue the first time. */
  private readonly last = new Map<string, number | null>();

  constructor(
    private readonly queue: Pick<ReviewQueueStore, 'add' | 'lastQueuedMs'>,
    private readonly settings: Pick<LineHealthSettingsStore, 'get'>,
    /** Draws the OK sample (replaceable in tests). */
    private readonly draw: () => number = Math.random,
  ) {}

  /** Queues the inspection when the policy samples it; returns the reason, or null. */
  offer(inspection: Pick<NewInspection, 'id' | 'createdMs' | 'productId' | 'line' | 'camera' | 'decision' | 'score'>): QueueReason | null {
    const policy = this.settings.get(inspection.productId).review;
    const reason = sampleReason(inspection, policy, this.draw);
    if (!reason) return null;
    const key = cameraKeyOf(inspection);
    const id = lastKey(key, reason);
    if (!this.last.has(id)) this.last.set(id, this.queue.lastQueuedMs(key, reason));
    const last = this.last.get(id);
    if (last !== null && last !== undefined && inspection.createdMs - last < policy.minIntervalMs) return null;
    this.queue.add({ ...key, inspectionId: inspection.id, reason, createdMs: inspection.createdMs });
    this.last.set(id, inspection.createdMs);
    return reason;
  }

  /** Drops what it remembers of the camera, to be read from the queue again (after a rollback). */
  forget(key: CameraKey): void {
    for (const reason of QUEUE_REASONS) this.last.delete(lastKey(key, reason));
  }
}

const lastKey = (key: CameraKey, reason: QueueReason) => `${key.productId}\u0000${key.line}\u0000${key.camera}\u0000${reason}`;

/** Why the queue holds an inspection, in words. */
export function queueReasonText(reason: QueueReason, policy: ReviewPolicy): string {
  switch (reason) {
    case 'ng':
      return 'Called NG: every NG call is reviewed';
    case 'near-threshold':
      return `Score within ${policy.band.toFixed(2)} of the threshold: where false alarms and missed defects hide`;
    case 'ok-sample':
      return `A random ${(100 * policy.okShare).toFixed(policy.okShare < 0.01 ? 1 : 0)}% sample of clear OK parts: checks for missed defects`;
  }
}
