/**
 * One inspection, from upload to a committed row: lease the product's active model, read the
 * upload, pass the admission gate, decode to the model's input, run in a micro-batch, store the
 * original image and the normalized map (the image is written while the batch runs), and insert
 * the row (with its part's record, for a view of a multi-view part; a plain row commits together
 * with the others ready at the same moment, see group-commit.ts) and, in the same transaction, its
 * line health (drift window, drift event, review-queue entry). The answer waits for the commit,
 * so an answered inspection is logged; it never waits for a PNG. The upload is read before a
 * slot is taken, so a camera on a failing link holds none while its image trickles in
 * (its body deadline, inspectBodyTimeoutMs, bounds the wait and what is buffered meanwhile); a
 * full gate, or too many images arriving at once, still refuses before reading, so under overload
 * a refusal costs no parsing and no buffering of an image that would only be dropped.
 */
import { measureQuality } from '../health/image-quality.js';
import type { LineHealth, Observation } from '../health/line-health.js';
import { decodeImage } from '../image/decode.js';
import { withImageThreshold } from '../jobs/calibration-override.js';
import type { BlobLease, BlobStore } from '../store/blob-store.js';
import { newId } from '../store/ids.js';
import type { ClientInfo, InspectionRecord, InspectionStore, NewInspection, PartRecordRef, Traceability } from '../store/inspections.js';
import type { LegalHoldStore } from '../store/legal-holds.js';
import { encodeMap } from '../store/map-file.js';
import type { ActiveModels, ServingModel } from './active-models.js';
import type { AdmissionGate } from './admission.js';
import type { GroupCommit } from './group-commit.js';
import type { MicroBatcher } from './inference/batcher.js';
import type { ServerMetrics } from './metrics.js';
import type { PartTracker } from './part-tracker.js';
import { problems } from './problem.js';

export interface InspectRequest {
  /** The product whose active model scores the image. */
  productId: string;
  line: string | null;
  camera: string | null;
  trace: Traceability;
  /** The multi-view product whose part record the inspection joins (see view-routing.ts), or null. */
  partProductId: string | null;
  /** Reads the image; called before admission (not at all when the gate is full). */
  upload(): Promise<Uint8Array>;
  client: ClientInfo;
}

export interface Dependencies {
  models: ActiveModels;
  admission: AdmissionGate;
  batcher: MicroBatcher<ServingModel>;
  blobs: BlobStore;
  inspections: InspectionStore;
  /** Commits the inspection rows (see group-commit.ts). */
  commits: GroupCommit;
  parts: Pick<PartTracker, 'logView'>;
  holds: Pick<LegalHoldStore, 'covers'>;
  /** Observes each inspection in the transaction that logs it. */
  lineHealth?: Pick<LineHealth, 'observe'>;
  metrics: ServerMetrics;
  maxPixels: number;
  /** Told of each logged inspection with its image (shadow scoring, the line's outputs); must only queue work, never wait. */
  afterInspection?: (inspection: InspectionRecord, image: Uint8Array) => void;
  /** Told when an admitted inspection starts and ends (training pauses meanwhile). */
  activity?: { inspectionStarted(): void; inspectionEnded(): void };
}

export class InspectionService {
  constructor(private readonly deps: Dependencies) {}

  async inspect(request: InspectRequest): Promise<InspectionRecord> {
    const started = performance.now();
    const createdMs = Date.now();
    const { models, admission, metrics } = this.deps;
    const model = models.acquire(request.productId);
    const overloaded = () => {
      metrics.refused.inc();
      return problems.overloaded(admission.retryAfterSeconds());
    };
    try {
      if (!admission.tryStartReceiving()) throw overloaded();
      let bytes: Uint8Array;
      try {
        bytes = await request.upload();
      } finally {
        admission.doneReceiving();
      }
      const received = performance.now();
      if (!admission.tryEnter()) throw overloaded();
      this.deps.activity?.inspectionStarted();
      try {
        return await this.run(model, request, bytes, { started, received, createdMs });
      } finally {
        admission.leave();
        this.deps.activity?.inspectionEnded();
      }
    } finally {
      models.release(model);
    }
  }

  private async run(
    model: ServingModel,
    request: InspectRequest,
    bytes: Uint8Array,
    { started, received, createdMs }: { started: number; received: number; createdMs: number },
  ): Promise<InspectionRecord> {
    const { batcher, blobs, inspections, commits, parts, holds, metrics, maxPixels } = this.deps;
    const { manifest } = model.record;
    const decoded = await decodeImage(bytes, manifest.input, { maxPixels });
    const decodedAt = performance.now();

    const storingImage = blobs.put(bytes);
    const scoring = batcher.submit(model, decoded);
    // measured while the batch waits and runs: the batch holds its own copy of the pixels
    const quality = measureQuality(decoded.data, decoded.width, decoded.height);
    let outcome;
    try {
      outcome = await scoring;
    } catch (error) {
      await storingImage.then((lease) => lease.release(), () => undefined);
      throw error;
    }

    const storeStarted = performance.now();
    const leases: BlobLease[] = [];
    try {
      const image = await storingImage;
      leases.push(image);
      const map = await blobs.put(encodeMap(outcome.verdict.map));
      leases.push(map);
      const verdict = withImageThreshold(outcome.verdict, model.imageThreshold);
      const finished = performance.now();
      const inspection: NewInspection = {
        id: newId(createdMs),
        createdMs,
        productId: request.productId,
        line: request.line,
        camera: request.camera,
        trace: request.trace,
        modelVersionId: model.record.id,
        decision: verdict.decision,
        score: verdict.score,
        rawScore: verdict.rawScore,
        threshold: verdict.threshold,
        regions: verdict.regions,
        image: { sha256: image.sha256, format: decoded.original.format, width: decoded.original.width, height: decoded.original.height, bytes: bytes.length },
        map: { width: verdict.map.width, height: verdict.map.height },
        timings: {
          receiveMs: round(received - started),
          decodeMs: round(decodedAt - received),
          queueMs: round(outcome.queueMs),
          inferenceMs: round(outcome.inferenceMs),
          storeMs: round(finished - storeStarted),
          totalMs: round(finished - started),
        },
        client: request.client,
        quality,
      };
      let partRecord: PartRecordRef | null = null;
      let observation: Observation | undefined;
      const observe = () => (observation = this.deps.lineHealth?.observe({ ...inspection, quality }));
      try {
        if (request.partProductId !== null) {
          const pass = parts.logView(request.partProductId, inspection, { image, map }, observe);
          partRecord = { id: pass.id, productId: pass.productId, pass: pass.pass };
        } else {
          await commits.run(() => {
            inspections.insert(inspection, { image, map });
            observe();
          });
        }
      } catch (error) {
        observation?.rolledBack();
        throw error;
      }
      observation?.committed();
      metrics.decisions.inc({ product: request.productId, model_version: model.record.version, decision: verdict.decision });
      const record: InspectionRecord = {
        ...inspection,
        quality,
        modelVersion: model.record.version,
        imageBlob: image.sha256,
        mapBlob: map.sha256,
        reviewState: 'unreviewed',
        partRecord,
        legalHold: holds.covers(request.trace.lot, request.trace.partId),
      };
      this.deps.afterInspection?.(record, bytes);
      return record;
    } finally {
      for (const lease of leases) lease.release();
    }
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100;
