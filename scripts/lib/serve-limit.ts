/**
 * The server against its limits, at the server's settings: for one image at a time, its own
 * inspection service called in this process without HTTP (in-process-server.ts); for throughput,
 * the pipeline it wraps run in full batches (in-process-pipeline.ts). Short rounds alternate the
 * server and its limits, so other work on the machine and its drift fall on both alike, and each
 * ratio is the median of the rounds' ratios (a round's figures are seconds apart). latencyRatio:
 * the server's p50 at concurrency 1 over the in-process median for one image; throughputRatio:
 * the server's images/s at its best concurrency over the in-process images/s. The figures beside
 * them are over all rounds.
 */
import { median } from 'simple-statistics';
import { loadServerConfig, type ServerConfig } from '../../src/server/config.js';
import { servingSession } from '../../src/server/inference/serving-session.js';
import { InProcessPipeline } from './in-process-pipeline.js';
import { InProcessServer } from './in-process-server.js';
import { postImage, postImages, type ImagePost } from './post-images.js';
import type { ServerProcess } from './server-process.js';

const ROUNDS = 6;
/** One image at a time in process, per round (about a third of a second). */
const LATENCY_RUNS = 20;
/**
 * Seconds per round of the server at concurrency 1, and of each throughput window. Shorter
 * windows count the server's ramp-up (its closed loop of cameras takes a moment to fill) against it.
 */
const SINGLE_SECONDS = 10 / 3;
const BUSY_SECONDS = 5;

export interface LimitComparison {
  serverP50Ms: number;
  serverImagesPerSecond: number;
  inProcessMs: number;
  inProcessImagesPerSecond: number;
  latencyRatio: number;
  throughputRatio: number;
  /** The server settings the pipeline ran at. */
  maxBatch: number;
  threads: number;
}

/** The benchmarked model: its package, the models folder the server was started with, its product. */
export interface BenchModel {
  dir: string;
  modelsDir: string;
  product: string;
}

/** `settings`: the server's flags the bench set (threads, inferenceThread); the rest at the server's defaults. */
export async function compareToLimit(
  server: ServerProcess,
  post: ImagePost,
  model: BenchModel,
  settings: Partial<Pick<ServerConfig, 'threads' | 'inferenceThread'>>,
  capacityConnections: number,
): Promise<LimitComparison> {
  const config = loadServerConfig(settings, {});
  const limit = { latencies: [] as number[], images: 0, seconds: 0 };
  const served = { latencies: [] as number[], images: 0, seconds: 0 };
  const latencyRatios: number[] = [];
  const throughputRatios: number[] = [];
  const inProcess = await InProcessServer.open(model.modelsDir, settings);
  let pipeline: InProcessPipeline | null = null;
  try {
    pipeline = await InProcessPipeline.open(model.dir, {
      session: servingSession(config),
      inferenceThread: config.inferenceThread,
      maxBatch: config.maxBatch,
      minRegionArea: config.minRegionArea,
      maxPixels: Math.round(config.maxMegapixels * 1e6),
    });
    for (let round = 0; round < ROUNDS; round++) {
      const single = await inProcess.latencies(post.image, model.product, LATENCY_RUNS);
      const answered = (await postImages(server.url, post, 1, SINGLE_SECONDS)).latencies;
      const full = await pipeline.throughput(post.image, BUSY_SECONDS);
      const busy = await postImages(server.url, post, capacityConnections, BUSY_SECONDS);
      // What the server admitted before the run ended is still being scored: one more post waits behind it.
      await postImage(server.url, post);
      latencyRatios.push(median(answered) / median(single));
      throughputRatios.push(busy.latencies.length / busy.seconds / (full.images / full.seconds));
      limit.latencies.push(...single);
      served.latencies.push(...answered);
      limit.images += full.images;
      limit.seconds += full.seconds;
      served.images += busy.latencies.length;
      served.seconds += busy.seconds;
    }
  } finally {
    await pipeline?.close();
    await inProcess.close();
  }
  return {
    serverP50Ms: median(served.latencies),
    serverImagesPerSecond: served.images / served.seconds,
    inProcessMs: median(limit.latencies),
    inProcessImagesPerSecond: limit.images / limit.seconds,
    latencyRatio: median(latencyRatios),
    throughputRatio: median(throughputRatios),
    maxBatch: config.maxBatch,
    threads: config.threads,
  };
}
