/**
 * The server's configuration: one zod schema with the embedded defaults, overridden by KENSA_*
 * environment variables, overridden in turn by command-line flags. Names are derived from the
 * keys (maxBatch: KENSA_MAX_BATCH, --max-batch), so the schema is the only list of settings.
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { COLORMAPS } from '../model/heatmap.js';
import { DEVICES } from '../onnx/session.js';

const int = () => z.coerce.number().int();
const number = () => z.coerce.number();

export const ServerConfigSchema = z.object({
  host: z.string().min(1).default('0.0.0.0').describe('address to listen on'),
  port: int().min(0).max(65535).default(8080).describe('TCP port (0: any free port)'),
  dataDir: z.string().min(1).default('./.kensa').describe('SQLite database, images and anomaly maps (relative to the working directory)'),
  modelsDir: z.string().min(1).default('./models').describe('model packages, as <product>/<version>/ (relative to the working directory)'),
  demo: z
    .union([z.boolean(), z.stringbool()])
    .default(true)
    .describe('serve the bundled demo product, training its model on first start (about a minute)'),
  device: z.enum(DEVICES).default('cpu').describe('ONNX Runtime execution provider'),
  threads: int()
    .min(1)
    .default(() => os.availableParallelism())
    .describe('ONNX Runtime intra-op threads (default: every core; measured best on 2 cores, see scripts/bench-serve.ts)'),
  inferenceThread: z
    .enum(['worker', 'main'])
    .default('worker')
    .describe('where ONNX Runtime runs: a worker thread, or the main thread (which then cannot serve HTTP while a batch runs)'),
  maxBatch: int().min(1).max(64).default(8).describe('most images in one inference batch'),
  maxWaitMs: number()
    .min(0)
    .max(1000)
    .default(0)
    .describe('how long a batch that is not full waits for more images (0: batches form only from images that queued while the previous batch ran; a few ms pays off on GPUs)'),
  maxQueue: int()
    .min(1)
    .default(32)
    .describe('most inspections in progress at once (bounds latency near maxQueue / throughput); beyond it, 503 with Retry-After'),
  maxUploadBytes: int().min(1).default(32 * 1024 * 1024).describe('largest upload accepted'),
  maxMegapixels: number().positive().default(40).describe('largest image accepted, stored or resized (decompression bombs)'),
  minRegionArea: int().min(1).default(25).describe('smallest defect region reported, in original-image pixels'),
  colormap: z.enum(COLORMAPS).default('turbo').describe('default colormap of rendered heatmaps'),
  overlayOpacity: number().min(0).max(1).default(0.45).describe('default opacity of the heatmap in overlays'),
  retentionMaxAgeDays: number().positive().default(90).describe('stored images and maps unused for longer are deleted (rows are kept)'),
  retentionMaxBytes: int().min(0).default(50 * 1024 ** 3).describe('stored images and maps beyond this size are deleted, oldest first'),
  retentionIntervalMinutes: number().positive().default(15).describe('how often the retention policy runs'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('pino log level'),
  shutdownTimeoutMs: int().min(0).default(15_000).describe('how long a shutdown waits for in-flight requests'),
  trainingRoots: z
    .preprocess((value) => (typeof value === 'string' ? value.split(path.delimiter).filter(Boolean) : value), z.array(z.string().min(1)))
    .default([])
    .describe(`server folders admins may train from, separated by "${path.delimiter}" (default: none, training only from uploads)`),
  maxTrainingJobs: int().min(1).default(1).describe('training jobs running at once (each in its own low-priority process; one per product)'),
  maxTrainingUploadBytes: int().min(1).default(2 * 1024 ** 3).describe('largest training upload (images and zips together; also the cap on all its files once unzipped, one image at most maxUploadBytes)'),
  minFreeDiskBytes: int()
    .min(0)
    .default(1024 ** 3)
    .describe('free space kept on the data folder\'s disk for inspections: below it, training uploads and jobs are refused (0: no floor)'),
  maxTrainingImages: int().min(1).default(20_000).describe('most images (and zip entries) in one training job'),
  autoPromote: z
    .union([z.boolean(), z.stringbool()])
    .default(false)
    .describe('activate a trained candidate without an admin when it is not worse than the active version on the same validation material'),
});

export type ServerConfig = z.output<typeof ServerConfigSchema>;
export type ServerConfigInput = z.input<typeof ServerConfigSchema>;
export type ConfigKey = keyof typeof ServerConfigSchema.shape;

export const CONFIG_KEYS = Object.keys(ServerConfigSchema.shape) as ConfigKey[];

export const envName = (key: ConfigKey) => `KENSA_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
export const flagName = (key: ConfigKey) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

export class ConfigError extends Error {
  constructor(issues: string[]) {
    super(`invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Defaults < environment < `overrides` (command-line flags, or a test's settings). Unknown keys in
 * `overrides` and empty environment variables are ignored. Directories come back absolute.
 */
export function loadServerConfig(overrides: Partial<Record<ConfigKey, unknown>> = {}, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const merged: Partial<Record<ConfigKey, unknown>> = {};
  const origin = new Map<ConfigKey, string>();
  for (const key of CONFIG_KEYS) {
    const fromEnv = env[envName(key)];
    if (fromEnv !== undefined && fromEnv !== '') {
      merged[key] = fromEnv;
      origin.set(key, envName(key));
    }
    if (overrides[key] !== undefined) {
      merged[key] = overrides[key];
      origin.set(key, `--${flagName(key)}`);
    }
  }
  const parsed = ServerConfigSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const key = issue.path[0] as ConfigKey;
        return `${origin.get(key) ?? key}: ${issue.message}`;
      }),
    );
  }
  return {
    ...parsed.data,
    dataDir: path.resolve(parsed.data.dataDir),
    modelsDir: path.resolve(parsed.data.modelsDir),
    trainingRoots: parsed.data.trainingRoots.map((root) => path.resolve(root)),
  };
}
