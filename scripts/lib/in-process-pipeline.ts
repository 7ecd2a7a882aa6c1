/**
 * The pipeline `kensa serve` wraps, run in full batches in the benchmark's own process with no
 * HTTP: decode (sharp), the model at the server's batch size on the server's executor (its
 * inference worker, or this thread with inferenceThread 'main') at the same intra-op threads, map
 * encoding, the blob writes and the SQLite insert, against a database and blob store of its own.
 * Stages overlap as well as they can: the next batch decodes and the last one is stored while a
 * batch runs, and the images' files are written while they are scored. What it reaches is the
 * throughput limit the server is measured against (lib/serve-limit.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { packBatch } from '../../src/image/batch.js';
import { decodeImage, type DecodedImage } from '../../src/image/decode.js';
import type { Verdict } from '../../src/model/loaded-model.js';
import { readModelPackage, type ModelPackage } from '../../src/model/model-package.js';
import type { SessionConfig } from '../../src/onnx/session.js';
import { ModelHost, type InferenceExecutor } from '../../src/server/inference/executor.js';
import { WorkerExecutor } from '../../src/server/inference/worker-executor.js';
import { BlobStore, type BlobLease } from '../../src/store/blob-store.js';
import { databasePath, openDatabase, type Db } from '../../src/store/database.js';
import { newId } from '../../src/store/ids.js';
import { InspectionStore, NO_TRACEABILITY } from '../../src/store/inspections.js';
import { encodeMap } from '../../src/store/map-file.js';
import { ModelRegistryStore } from '../../src/store/model-registry.js';
import { OutboxStore } from '../../src/store/outbox.js';

const KEY = 'bench';
const NO_TIMINGS = { receiveMs: 0, decodeMs: 0, queueMs: 0, inferenceMs: 0, storeMs: 0, totalMs: 0 };
const CLIENT = { apiKeyId: null, address: null, userAgent: 'bench', requestId: 'bench' };

export interface PipelineSettings {
  session: SessionConfig;
  inferenceThread: 'worker' | 'main';
  /** The server's maxBatch, minRegionArea and pixel limit (its defaults unless the bench overrides them). */
  maxBatch: number;
  minRegionArea: number;
  maxPixels: number;
}

export class InProcessPipeline {
  private constructor(
    private readonly dir: string,
    private readonly db: Db,
    private readonly pkg: ModelPackage,
    private readonly modelVersionId: number,
    private readonly executor: InferenceExecutor,
    private readonly blobs: BlobStore,
    private readonly inspections: InspectionStore,
    private readonly settings: PipelineSettings,
  ) {}

  static async open(modelDir: string, settings: PipelineSettings): Promise<InProcessPipeline> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kensa-bench-pipeline-'));
    const db = openDatabase(databasePath(dir));
    const pkg = await readModelPackage(modelDir);
    const version = new ModelRegistryStore(db).registerPackage(pkg);
    // A worker that dies fails the batch it held, and with it the benchmark: nothing to do on restart.
    const executor = settings.inferenceThread === 'worker' ? new WorkerExecutor(settings.session, () => undefined) : new ModelHost(settings.session);
    await executor.load(KEY, pkg.dir);
    return new InProcessPipeline(dir, db, pkg, version.id, executor, new BlobStore(dir), new InspectionStore(db, new OutboxStore(db)), settings);
  }

  /**
   * Full batches back to back for about `seconds`, the next one decoding while one runs: the
   * images stored and the seconds it took. Returns once nothing of it is left running.
   */
  async throughput(bytes: Uint8Array, seconds: number): Promise<{ images: number; seconds: number }> {
    const decodeBatch = () => Promise.all(Array.from({ length: this.settings.maxBatch }, () => this.decode(bytes)));
    let images = 0;
    const started = performance.now();
    const storing: Promise<void>[] = [];
    let next = decodeBatch();
    do {
      const batch = await next;
      next = decodeBatch();
      storing.push(...(await this.runBatch(bytes, batch)));
      images += batch.length;
    } while (performance.now() - started < seconds * 1000);
    await Promise.all(storing);
    const elapsed = (performance.now() - started) / 1000;
    await next; // decoded ahead for a batch that will not run: neither counted nor left running
    return { images, seconds: elapsed };
  }

  async close(): Promise<void> {
    await this.executor.close();
    this.db.close();
    await rm(this.dir, { recursive: true, force: true });
  }

  private decode(bytes: Uint8Array): Promise<DecodedImage> {
    return decodeImage(bytes, this.pkg.manifest.input, { maxPixels: this.settings.maxPixels });
  }

  /** Scores the batch while its images' files are written; resolves to the images' stores (map, row). */
  private async runBatch(bytes: Uint8Array, images: DecodedImage[]): Promise<Promise<void>[]> {
    const imageFiles = images.map(() => this.blobs.put(bytes));
    const originals = images.map((image) => image.original);
    const { verdicts } = await this.executor.run(KEY, packBatch(images), originals, { minRegionArea: this.settings.minRegionArea });
    return verdicts.map((verdict, i) => this.store(bytes, images[i], verdict, imageFiles[i]));
  }

  private async store(bytes: Uint8Array, decoded: DecodedImage, verdict: Verdict, imageFile: Promise<BlobLease>): Promise<void> {
    const [image, map] = await Promise.all([imageFile, this.blobs.put(encodeMap(verdict.map))]);
    const createdMs = Date.now();
    const { original } = decoded;
    this.inspections.insert(
      {
        id: newId(createdMs),
        createdMs,
        productId: this.pkg.manifest.product,
        line: null,
        camera: null,
        trace: NO_TRACEABILITY,
        modelVersionId: this.modelVersionId,
        decision: verdict.decision,
        score: verdict.score,
        rawScore: verdict.rawScore,
        threshold: verdict.threshold,
        regions: verdict.regions,
        image: { sha256: image.sha256, format: original.format, width: original.width, height: original.height, bytes: bytes.length },
        map: { width: verdict.map.width, height: verdict.map.height },
        timings: NO_TIMINGS,
        client: CLIENT,
      },
      { image, map },
    );
    image.release();
    map.release();
  }
}
