/**
 * The server's configuration: one zod schema with the embedded defaults, overridden by KENSA_*
 * environment variables, overridden in turn by command-line flags. Names are derived from the
 * keys (maxBatch: KENSA_MAX_BATCH, --max-batch), so the schema is the only list of settings.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { COLORMAPS } from '../model/heatmap.js';
import { DEVICES } from '../onnx/session.js';
import { PRODUCT_PATTERN } from './schemas.js';

const int = () => z.coerce.number().int();
const number = () => z.coerce.number();
/** Read once here, so a wrong path stops the start with the setting's name rather than a stack. */
const readableFile = () =>
  z
    .string()
    .min(1)
    .superRefine((file, ctx) => {
      try {
        readFileSync(file);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `cannot read ${path.resolve(file)} (${(error as NodeJS.ErrnoException).code ?? String(error)})` });
      }
    });

const HotFolderSchema = z.strictObject({
  path: z.string().min(1).describe('the folder; done/ and failed/ are made inside it'),
  product: z.string().regex(PRODUCT_PATTERN, 'must be a product id'),
  line: z.string().trim().min(1).max(64).optional(),
  camera: z.string().trim().min(1).max(64).optional(),
  poll: z.boolean().default(false).describe('poll the folder instead of waiting for change events (network shares)'),
});
export type HotFolderConfig = z.output<typeof HotFolderSchema>;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text; // the schema then says it is not a list
  }
}

export const ServerConfigSchema = z.object({
  host: z.string().min(1).default('0.0.0.0').describe('address to listen on'),
  port: int().min(0).max(65535).default(8080).describe('TCP port (0: any free port)'),
  internalPort: int()
    .min(0)
    .max(65535)
    .optional()
    .describe('port of an internal plain-HTTP listener that serves /readyz with details and /metrics without a key, for probes and Prometheus (default: none; then both need an admin key)'),
  internalHost: z.string().min(1).default('127.0.0.1').describe('address of the internal listener'),
  tlsCert: readableFile().optional().describe('PEM certificate (with its chain) to serve HTTPS directly, where no proxy is in front; needs tlsKey'),
  tlsKey: readableFile().optional().describe('PEM private key of tlsCert'),
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
  retentionMaxBytes: int().min(0).default(50 * 1024 ** 3).describe('stored images, maps and rendered pictures beyond this size are deleted: renders first, then the least recently used'),
  retentionIntervalMinutes: number().positive().default(15).describe('how often the retention policy runs'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('pino log level'),
  shutdownTimeoutMs: int().min(0).default(15_000).describe('how long a shutdown waits for in-flight requests'),
  headersTimeoutMs: int().min(100).default(10_000).describe("how long a client may take to send a request's headers; then 408 and the connection is closed"),
  requestTimeoutMs: int()
    .min(100)
    .default(60_000)
    .describe('how long a request body may take to arrive in total, unless its endpoint sets its own (inspectBodyTimeoutMs, uploadIdleTimeoutMs); then 408'),
  keepAliveTimeoutMs: int().min(100).default(15_000).describe("how long an idle keep-alive connection is kept for its next request (longer than a camera's cycle, so cameras reuse connections)"),
  inspectBodyTimeoutMs: int()
    .min(100)
    .default(10_000)
    .describe('how long a camera may take to send an image (a few MB on a LAN take well under a second); a slower one is answered 408 and never holds an inspection slot'),
  trainingRoots: z
    .preprocess((value) => (typeof value === 'string' ? value.split(path.delimiter).filter(Boolean) : value), z.array(z.string().min(1)))
    .default([])
    .describe(`server folders admins may train from, separated by "${path.delimiter}" (default: none, training only from uploads)`),
  maxTrainingJobs: int().min(1).default(1).describe('training jobs running at once (each in its own low-priority process; one per product)'),
  maxQueuedJobsPerProduct: int().min(1).default(3).describe('training jobs waiting per product; beyond it, 429 (each holds its staged images on disk)'),
  maxTrainingUploadBytes: int().min(1).default(2 * 1024 ** 3).describe('largest training upload (images and zips together; also the cap on all its files once unzipped, one image at most maxUploadBytes)'),
  minFreeDiskBytes: int()
    .min(0)
    .default(1024 ** 3)
    .describe('free space kept on the data folder\'s disk for inspections: below it, training uploads and jobs are refused (0: no floor)'),
  maxTrainingImages: int().min(1).default(20_000).describe('most images (and zip entries) in one training job'),
  maxTrainingUploads: int().min(1).default(2).describe('training uploads received and checked at once; beyond it, 503 with Retry-After'),
  uploadIdleTimeoutMs: int()
    .min(100)
    .default(60_000)
    .describe('a training upload that sends nothing for this long is cut (408); a slow upload that keeps sending has no time limit'),
  maxEventStreams: int().min(1).default(64).describe('job event streams open at once (the UI keeps one per followed job); beyond it, 503 with Retry-After'),
  eventStreamHeartbeatMs: int()
    .min(100)
    .default(15_000)
    .describe("how often an open event stream sends a heartbeat and re-checks its API key: a revoked key's streams end within this"),
  partTimeoutMs: int()
    .min(100)
    .default(30_000)
    .describe("how long a multi-view part's views may take to arrive, from its first, before the part is closed as incomplete (a product's own setting overrides it)"),
  maxPartWaits: int().min(1).default(256).describe('requests waiting at once for a part to complete (GET a part with wait); beyond it, 503 with Retry-After'),
  autoPromote: z
    .union([z.boolean(), z.stringbool()])
    .default(false)
    .describe("activate the candidate of a job an admin key started without a further step when it is not worse than the active version on the same validation material (other keys' candidates wait for an admin)"),
  sinkRetryMaxMs: int()
    .min(100)
    .default(60_000)
    .describe('longest wait between two attempts to deliver a result to a sink that is down (the waits double from 250 ms up to this, with jitter)'),
  opcuaPort: int()
    .min(0)
    .max(65535)
    .optional()
    .describe('port of an OPC UA server showing each camera\'s last result and the PLC handshake (default: none, no OPC UA server; 0: any free port)'),
  opcuaHost: z.string().min(1).default('0.0.0.0').describe('address the OPC UA server listens on'),
  opcuaUser: z.string().min(1).optional().describe('OPC UA user name; with it (and opcuaPassword) anonymous sessions are refused'),
  opcuaPassword: z.string().min(1).optional().describe("OPC UA user's password (prefer the environment variable to the flag: flags show in the process list)"),
  hotFolders: z
    .preprocess(
      (value) => (typeof value === 'string' ? parseJson(value) : value),
      // two watchers of one folder would race for its files
      z.array(HotFolderSchema).refine((folders) => new Set(folders.map((folder) => path.resolve(folder.path))).size === folders.length, 'each folder may be watched once'),
    )
    .default([])
    .describe('folders cameras drop images into, as JSON: [{"path": "/srv/cam1", "product": "flange", "line": "1", "camera": "1", "poll": false}] (poll: for SMB/NFS shares, whose changes raise no events)'),
  hotFolderSettleMs: int()
    .min(50)
    .default(2000)
    .describe("how long a dropped file's size must stay the same before it is read (a camera still writing it over a share)"),
}).superRefine((config, ctx): void => {
  if (Boolean(config.opcuaUser) !== Boolean(config.opcuaPassword)) {
    ctx.addIssue({ code: 'custom', path: [config.opcuaUser ? 'opcuaUser' : 'opcuaPassword'], message: 'OPC UA needs a user name and its password, or neither (anonymous)' });
  }
}).superRefine((config, ctx): void => {
  // One without the other would quietly serve plain HTTP.
  if (Boolean(config.tlsCert) === Boolean(config.tlsKey)) return;
  const [given, missing] = config.tlsCert ? (['tlsCert', 'tlsKey'] as const) : (['tlsKey', 'tlsCert'] as const);
  ctx.addIssue({ code: 'custom', path: [given], message: `HTTPS needs a certificate and its key: set --${flagName(missing)} (${envName(missing)}) as well` });
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
    hotFolders: parsed.data.hotFolders.map((folder) => ({ ...folder, path: path.resolve(folder.path) })),
  };
}
