/**
 * A hot folder: cameras that cannot POST drop images into a folder (often a network share), and
 * each is inspected through the same submission as POST /api/v1/inspect, then moved to done/, or
 * to failed/ with the reason beside it as <name>.error.json. An optional sidecar <stem>.json
 * written before the image carries its traceability fields ({"part", "lot", "station", "view",
 * "attr"}) and moves with it.
 *
 * A file is read once its size has stayed the same for the settle time (a camera still writing it
 * over a share). Files are inspected one at a time, in the order they settled. Exactly once across
 * restarts: each inspection is logged with the file's path as its request id, so a file found again
 * after the process stopped between logging it and moving it is moved without a second inspection;
 * files present at the start are picked up like new ones.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from 'pino';
import { z } from 'zod';
import { NO_TRACEABILITY, type InspectionRecord, type Traceability } from '../store/inspections.js';
import type { HotFolderConfig } from '../server/config.js';
import { HttpProblem, problems, toProblem } from '../server/problem.js';
import { TRACE_FIELDS } from '../server/schemas.js';
import type { Submission, SubmitInspection } from '../server/submit-inspection.js';
import { readFileIfPresent, renameIfPresent, statIfPresent } from '../util/if-present.js';
import type { FolderMetrics } from './hot-folder-metrics.js';

export const DONE = 'done';
export const FAILED = 'failed';

const Sidecar = z.strictObject(TRACE_FIELDS);

export interface HotFolderOptions {
  folder: HotFolderConfig;
  settleMs: number;
  maxUploadBytes: number;
  submit: SubmitInspection;
  /** The inspection already logged for this image and request id, or null. */
  loggedInspection(sha256: string, requestId: string): string | null;
  metrics: FolderMetrics;
  logger: Logger;
}

export class HotFolder {
  private watcher: FSWatcher | null = null;
  /** The files queued or in progress, in order. */
  private queue: Promise<void> = Promise.resolve();
  private readonly queued = new Set<string>();
  private readonly stopping = new AbortController();
  private readonly logger: Logger;

  constructor(private readonly options: HotFolderOptions) {
    this.logger = options.logger.child({ hotFolder: options.folder.path });
  }

  /** Resolves once the files already in the folder are known (each is inspected once it has settled). */
  async start(): Promise<void> {
    const { folder, settleMs } = this.options;
    await mkdir(path.join(folder.path, DONE), { recursive: true });
    await mkdir(path.join(folder.path, FAILED), { recursive: true });
    const watcher = watch(folder.path, {
      depth: 0,
      ignored: (file, stats) => file !== folder.path && (stats?.isDirectory() === true || !isImageName(path.basename(file))),
      awaitWriteFinish: { stabilityThreshold: settleMs, pollInterval: Math.min(100, settleMs) },
      usePolling: folder.poll,
    });
    this.watcher = watcher;
    watcher.on('add', (file) => this.enqueue(file));
    watcher.on('error', (error) => this.logger.error({ err: error }, 'hot folder watch failed'));
    await new Promise<void>((resolve) => watcher.once('ready', resolve));
    this.logger.info({ product: folder.product, line: folder.line, camera: folder.camera }, 'watching a hot folder');
  }

  /** Stops watching and waits for the file in progress; files left are picked up at the next start. */
  async close(): Promise<void> {
    this.stopping.abort();
    await this.watcher?.close();
    await this.queue;
  }

  private enqueue(file: string): void {
    if (this.queued.has(file)) return;
    this.queued.add(file);
    this.options.metrics.queued();
    this.queue = this.queue
      .then(() => (this.stopping.signal.aborted ? undefined : this.inspect(file)))
      .catch((error: unknown) => this.logger.error({ err: error, file }, 'hot folder file left in place'))
      .finally(() => {
        this.queued.delete(file);
        this.options.metrics.dequeued();
      });
  }

  private async inspect(file: string): Promise<void> {
    const { folder, maxUploadBytes } = this.options;
    const stats = await statIfPresent(file);
    // taken away by someone else since it settled
    if (!stats) return;
    if (stats.size > maxUploadBytes) return this.fail(file, problems.tooLarge(maxUploadBytes));
    const bytes = await readFile(file);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const requestId = `hot-folder:${file}`;
    const logged = this.options.loggedInspection(sha256, requestId);
    if (logged !== null) {
      this.logger.info({ file, inspection: logged }, 'hot folder file was inspected before a restart; moving it');
      return this.move(file, DONE);
    }
    let record: InspectionRecord | null;
    try {
      const trace = await readSidecar(file);
      record = await this.submitWhenAdmitted({
        product: folder.product,
        line: folder.line ?? null,
        camera: folder.camera ?? null,
        trace,
        upload: () => Promise.resolve(bytes),
        client: { apiKeyId: null, address: null, userAgent: 'kensa hot folder', requestId },
      });
    } catch (error) {
      return this.fail(file, toProblem(error, maxUploadBytes), error);
    }
    // stopping: left for the next start
    if (!record) return;
    this.logger.info({ file, inspection: record.id, decision: record.decision, score: record.score }, 'hot folder file inspected');
    await this.move(file, DONE);
  }

  /** Submits, waiting out refusals for overload (the file has not failed); null when stopped meanwhile. */
  private async submitWhenAdmitted(submission: Submission): Promise<InspectionRecord | null> {
    for (;;) {
      try {
        return await this.options.submit(submission);
      } catch (error) {
        const problem = toProblem(error, this.options.maxUploadBytes);
        if (problem.status !== 503) throw error;
        this.logger.debug({ problem: problem.title }, 'hot folder waits to be admitted');
        this.options.metrics.waited();
        const retryAfterMs = 1000 * Number(problem.extra.headers?.['Retry-After'] ?? 1);
        const stopped = await sleep(retryAfterMs, false, { signal: this.stopping.signal }).catch(() => true);
        if (stopped) return null;
      }
    }
  }

  /** Writes why beside the file, then moves both to failed/. */
  private async fail(file: string, problem: HttpProblem, cause?: unknown): Promise<void> {
    const reason = { status: problem.status, title: problem.title, detail: problem.detail, failedAt: new Date().toISOString() };
    // an unexpected error's reason says nothing internal; the log has it
    this.logger.warn({ file, problem: reason, err: problem.status >= 500 ? cause : undefined }, 'hot folder file failed');
    await writeFile(path.join(path.dirname(file), FAILED, `${path.basename(file)}.error.json`), `${JSON.stringify(reason, null, 2)}\n`);
    await this.move(file, FAILED);
  }

  /** The image first: stopping between the two leaves a stray sidecar, never an image without its own. */
  private async move(file: string, to: typeof DONE | typeof FAILED): Promise<void> {
    const sidecar = sidecarOf(file);
    const into = (name: string) => path.join(path.dirname(name), to, path.basename(name));
    await rename(file, into(file));
    await renameIfPresent(sidecar, into(sidecar));
    this.options.metrics.moved(to);
  }
}

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.webp', '.bmp']);

/** Images only: sidecars, reasons, hidden files and a share's temporary names are not parts. */
function isImageName(name: string): boolean {
  return !name.startsWith('.') && IMAGE_EXTENSIONS.has(path.extname(name).toLowerCase());
}

function sidecarOf(file: string): string {
  return path.join(path.dirname(file), `${path.basename(file, path.extname(file))}.json`);
}

async function readSidecar(file: string): Promise<Traceability> {
  const text = await readFileIfPresent(sidecarOf(file));
  if (text === null) return NO_TRACEABILITY;
  let json: unknown;
  try {
    json = JSON.parse(text.toString('utf8'));
  } catch (error) {
    throw new HttpProblem(400, 'malformed-json', 'The sidecar is malformed', `${path.basename(sidecarOf(file))} is not JSON (${(error as Error).message}).`);
  }
  const parsed = Sidecar.safeParse(json);
  if (!parsed.success) throw problems.invalidTraceability(parsed.error);
  const fields = parsed.data;
  return { partId: fields.part ?? null, lot: fields.lot ?? null, station: fields.station ?? null, view: fields.view ?? null, attributes: fields.attr ?? {} };
}
