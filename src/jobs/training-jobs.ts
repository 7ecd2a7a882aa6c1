/**
 * The training jobs of a server: a queue in SQLite, at most `maxRunning` jobs at once and one per
 * product, each in its own runner process (see job-runner.ts) at the lowest CPU priority and
 * stopped while inspections are in progress (see training-pause.ts), so inspections keep their
 * latency. Progress and warnings are stored and broadcast as job events.
 *
 * A job that succeeds has its package moved from the job's hidden staging folder to its version
 * folder with one rename, registered, and its evaluation stored; then, if an admin key started
 * the job, the new version becomes the active one if the product has none (or, with autoPromote,
 * if it is not worse than the active version on the same material); else it starts scoring live
 * traffic in shadow mode, or, for a product without an active model, waits for an admin.
 *
 * Each product may have `maxQueuedPerProduct` jobs waiting: a queued job holds its images on disk.
 *
 * Cancelling kills the runner. Shutting down kills the runners too and marks their jobs failed;
 * after a crash, `start` does the same for jobs the database still calls running. Either way the
 * job's folders are removed, and no version folder ever holds half a package.
 *
 * A job's error, warnings and progress messages are stored and sent without the server's paths
 * (a path in the models folder relative to it, any other by its last name): API clients read
 * them. The log has errors and warnings in full.
 */
import { existsSync } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { SessionConfig } from '../onnx/session.js';
import type { ActiveModels } from '../server/active-models.js';
import { readPackageAt } from '../server/model-discovery.js';
import { withoutPaths } from '../server/without-paths.js';
import type { ApiKeyStore } from '../store/api-keys.js';
import type { BlobStore } from '../store/blob-store.js';
import type { Db } from '../store/database.js';
import { newId } from '../store/ids.js';
import type { ModelEvaluationStore } from '../store/model-evaluations.js';
import type { ModelRegistryStore, ModelVersionRecord } from '../store/model-registry.js';
import type { ThresholdOverrideStore } from '../store/threshold-overrides.js';
import type { JobStatus, TrainingJobRecord, TrainingJobStore } from '../store/training-jobs.js';
import { effectiveImageThreshold } from './calibration-override.js';
import type { JobEventHub } from './job-event-hub.js';
import { isAlive, type JobFiles } from './job-files.js';
import { JobRequestError } from './job-request-error.js';
import { judgeCandidate } from './promotion.js';
import { DEFAULT_RECIPE, recipeOf, TrainingRecipeSchema, withOverrides, type RecipeOverrides, type TrainingRecipe } from './recipe.js';
import type { Baseline, RunnerEvaluation, RunnerReport } from './runner-protocol.js';
import { RunnerProcess } from './runner-process.js';
import type { TrainingPause } from './training-pause.js';
import type { StagedSet } from './training-set.js';
import { stageReviewedImages } from './validation-material.js';

export interface TrainingJobsOptions {
  maxRunning: number;
  maxQueuedPerProduct: number;
  autoPromote: boolean;
  session: SessionConfig;
}

export interface TrainingJobsDeps {
  db: Db;
  store: TrainingJobStore;
  events: JobEventHub;
  registry: ModelRegistryStore;
  models: ActiveModels;
  evaluations: ModelEvaluationStore;
  thresholds: ThresholdOverrideStore;
  blobs: BlobStore;
  files: JobFiles;
  /** Who started a job: only an admin's job may put its model live by itself. */
  keys: ApiKeyStore;
  /** Stops runners while inspections are in progress. */
  pause: TrainingPause;
  logger: Logger;
}

export interface NewJob {
  /** From `newJobId`, reserved before the images were staged under it. */
  id: string;
  productId: string;
  version?: string;
  overrides: RecipeOverrides;
  staged: StagedSet;
  actorKeyId: number | null;
}

interface RunningJob {
  record: TrainingJobRecord;
  runner: RunnerProcess | null;
  /** The active version the runner compares the candidate with. */
  baseline: Baseline | null;
  cancelRequested: boolean;
  /** The runner's own error report, if it sent one. */
  failure: string | null;
  /** Set when the runner reported success: the package is being moved, registered and placed. */
  completing: Promise<void> | null;
  lastProgress: { stage: string; atMs: number };
  ended: Promise<void>;
  markEnded(): void;
}

/** Progress is stored (and broadcast) at most this often per stage; stage changes always. */
const PROGRESS_INTERVAL_MS = 500;
const INTERRUPTED_BY_SHUTDOWN = 'interrupted: the server shut down while the job was running; no model was written, start the job again';
const INTERRUPTED_BY_CRASH = 'interrupted: the server stopped while the job was running; no model was written, start the job again';

export class TrainingJobs {
  private readonly running = new Map<string, RunningJob>();
  private closing = false;

  constructor(
    private readonly deps: TrainingJobsDeps,
    private readonly options: TrainingJobsOptions,
  ) {}

  get files(): JobFiles {
    return this.deps.files;
  }

  /** After a restart: jobs left running failed, their processes and files are gone; the queue resumes. */
  async start(): Promise<void> {
    const { store, files, logger } = this.deps;
    for (const job of store.withStatus('running')) {
      if (job.pid !== null && (await isRunner(job.pid))) process.kill(job.pid, 'SIGKILL');
      store.finish(job.id, 'failed', { error: INTERRUPTED_BY_CRASH });
      this.publishStatus(job.id);
      logger.warn({ job: job.id, product: job.productId }, 'a training job was interrupted by a restart and marked failed');
    }
    const removed = await files.sweep(new Set(store.withStatus('queued').map((job) => job.id)));
    if (removed.length > 0) logger.info({ removed }, 'removed the staging folders of ended training jobs');
    this.schedule();
  }

  newJobId(): string {
    return newId();
  }

  /** Refuses a version name that exists or that a queued or running job will produce. */
  assertVersionFree(productId: string, version: string): void {
    if (this.versionTaken(productId, version)) {
      throw new JobRequestError(409, 'version-exists', 'The version exists already', `Product "${productId}" has a version "${version}" already, or a job is training it; choose another name.`);
    }
  }

  /** Refuses a job beyond the product's share of the queue, before its images are received. */
  assertQueueRoom(productId: string): void {
    const queued = this.deps.store.withStatus('queued').filter((job) => job.productId === productId).length;
    if (queued >= this.options.maxQueuedPerProduct) {
      throw new JobRequestError(
        429,
        'job-queue-full',
        'Too many jobs are queued for this product',
        `Product "${productId}" has ${queued} training jobs waiting, the most it may have; start this one when one of them has started, or cancel one.`,
      );
    }
  }

  /** The recipe a new job of the product gets with `overrides`. */
  recipeFor(productId: string, overrides: RecipeOverrides): TrainingRecipe {
    const product = this.deps.registry.product(productId);
    const active = product?.activeModelId ? this.deps.registry.version(product.activeModelId) : null;
    return withOverrides((active && recipeOf(active)) ?? DEFAULT_RECIPE, overrides);
  }

  /** Queue a job whose images are staged under its id (they are removed if it cannot be queued). */
  enqueue(job: NewJob): TrainingJobRecord {
    const { db, registry, store, files } = this.deps;
    const warnings = job.staged.warnings.map((message) => this.forClients(message));
    try {
      // Checked again: other jobs may have been queued while this one's images arrived.
      this.assertQueueRoom(job.productId);
      const version = job.version ?? this.nextVersion(job.productId);
      this.assertVersionFree(job.productId, version);
      const recipe = this.recipeFor(job.productId, job.overrides);
      db.transaction(() => {
        registry.ensureProduct(job.productId);
        store.create({
          id: job.id,
          productId: job.productId,
          version,
          config: recipe,
          source: job.staged.source,
          warnings,
          createdByKeyId: job.actorKeyId,
          createdMs: Date.now(),
        });
      })();
    } catch (error) {
      void files.remove(job.id, job.productId);
      throw error;
    }
    this.publishStatus(job.id);
    for (const message of warnings) this.deps.events.publish(job.id, 'warning', { message });
    this.schedule();
    return store.get(job.id) as TrainingJobRecord;
  }

  /** 1 for the next job to start; null when the job is not queued. */
  queuePosition(jobId: string): number | null {
    const index = this.deps.store.withStatus('queued').findIndex((job) => job.id === jobId);
    return index < 0 ? null : index + 1;
  }

  /** Cancel a queued job, or kill a running one; resolves once it is marked cancelled. */
  async cancel(jobId: string): Promise<TrainingJobRecord> {
    const { store } = this.deps;
    const record = store.get(jobId);
    if (!record) throw new JobRequestError(404, 'not-found', 'Not found', `There is no training job ${jobId}.`);
    const running = this.running.get(jobId);
    if (running) {
      if (running.completing) throw new JobRequestError(409, 'job-finishing', 'The job is finishing', `Job ${jobId} has trained its model and is registering it; it can no longer be cancelled.`);
      running.cancelRequested = true;
      running.runner?.kill();
      await running.ended;
    } else if (record.status === 'queued') {
      await this.end(record, 'cancelled', {});
    } else {
      throw new JobRequestError(409, 'job-ended', 'The job has ended', `Job ${jobId} is ${record.status}; only queued and running jobs can be cancelled.`);
    }
    return store.get(jobId) as TrainingJobRecord;
  }

  /** Kill the runners and mark their jobs failed (queued jobs stay queued for the next start). */
  async close(): Promise<void> {
    this.closing = true;
    this.deps.events.shutdown();
    for (const job of this.running.values()) job.runner?.kill();
    await Promise.all([...this.running.values()].map((job) => job.ended));
  }

  private schedule(): void {
    if (this.closing) return;
    const busy = new Set([...this.running.values()].map((job) => job.record.productId));
    for (const job of this.deps.store.withStatus('queued')) {
      if (this.running.size >= this.options.maxRunning) return;
      if (busy.has(job.productId)) continue;
      busy.add(job.productId);
      this.launch(job);
    }
  }

  private launch(record: TrainingJobRecord): void {
    let markEnded!: () => void;
    const ended = new Promise<void>((resolve) => (markEnded = resolve));
    const job: RunningJob = {
      record,
      runner: null,
      baseline: null,
      cancelRequested: false,
      failure: null,
      completing: null,
      lastProgress: { stage: '', atMs: 0 },
      ended,
      markEnded,
    };
    this.running.set(record.id, job);
    this.deps.store.markRunning(record.id);
    this.publishStatus(record.id);
    this.spawn(job).catch((error: unknown) => this.end(record, 'failed', { error: `the job could not start: ${messageOf(error)}` }));
  }

  private async spawn(job: RunningJob): Promise<void> {
    const { db, blobs, files, store } = this.deps;
    const { record } = job;
    const reviewed = await stageReviewedImages(db, blobs, record.productId, files.validationDir(record.id));
    if (job.cancelRequested) return this.end(record, 'cancelled', {});
    if (this.closing) return this.end(record, 'failed', { error: INTERRUPTED_BY_SHUTDOWN });
    job.baseline = this.baseline(record.productId);
    job.runner = RunnerProcess.start(
      {
        jobId: record.id,
        product: record.productId,
        version: record.version,
        recipe: TrainingRecipeSchema.parse(record.config),
        trainingDir: files.imagesDir(record.id),
        packageDir: path.join(files.packageStaging(record.productId, record.id), record.version),
        modelsDir: files.modelsDir,
        session: this.options.session,
        reviewed,
        baseline: job.baseline,
      },
      {
        onReport: (report) => this.onReport(job, report),
        onExit: (code, signal, stderr) => {
          untrack();
          void this.onExit(job, code, signal, stderr);
        },
      },
    );
    const untrack = this.deps.pause.track(job.runner);
    if (job.runner.pid !== null) store.setPid(record.id, job.runner.pid);
  }

  private onReport(job: RunningJob, report: RunnerReport): void {
    const { store, events } = this.deps;
    const id = job.record.id;
    switch (report.type) {
      case 'progress': {
        const now = Date.now();
        if (report.stage === job.lastProgress.stage && report.fraction < 1 && now - job.lastProgress.atMs < PROGRESS_INTERVAL_MS) return;
        job.lastProgress = { stage: report.stage, atMs: now };
        const message = this.forClients(report.message);
        store.progress(id, report.stage, report.progress, message);
        events.publish(id, 'progress', { stage: report.stage, message, fraction: report.fraction, progress: report.progress });
        return;
      }
      case 'warning':
        this.warn(id, report.message);
        return;
      case 'failed':
        job.failure = report.error;
        return;
      case 'succeeded':
        job.completing = this.complete(job, report.evaluation);
        return;
    }
  }

  private async onExit(job: RunningJob, code: number | null, signal: NodeJS.Signals | null, stderr: string): Promise<void> {
    if (job.completing) return job.completing;
    if (job.cancelRequested) return this.end(job.record, 'cancelled', {});
    if (this.closing) return this.end(job.record, 'failed', { error: INTERRUPTED_BY_SHUTDOWN });
    const lastLine = stderr.trim().split('\n').at(-1);
    const error = job.failure ?? `the training process stopped unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`})${lastLine ? `: ${lastLine}` : ''}`;
    return this.end(job.record, 'failed', { error });
  }

  /** Move the package into place, register it, store its evaluation, then make it active or shadow. */
  private async complete(job: RunningJob, evaluation: RunnerEvaluation): Promise<void> {
    const { registry, evaluations, files } = this.deps;
    const { record } = job;
    const target = files.packageDir(record.productId, record.version);
    let version: ModelVersionRecord;
    try {
      if (existsSync(target)) throw new Error(`${target} exists already`);
      await rename(path.join(files.packageStaging(record.productId, record.id), record.version), target);
      try {
        version = registry.registerPackage(await readPackageAt(files.modelsDir, record.productId, record.version));
      } catch (error) {
        await rm(target, { recursive: true, force: true });
        throw error;
      }
    } catch (error) {
      return this.end(record, 'failed', { error: `the trained model could not be registered: ${messageOf(error)}` });
    }
    const baseline = job.baseline ? registry.versionByName(record.productId, job.baseline.version) : null;
    evaluations.add({
      modelVersionId: version.id,
      baselineVersionId: baseline?.id ?? null,
      jobId: record.id,
      material: evaluation.material,
      metrics: evaluation.metrics,
      baselineMetrics: evaluation.baselineMetrics,
      createdMs: Date.now(),
    });
    await this.place(record, version, evaluation, baseline);
    return this.end(record, 'succeeded', { modelVersionId: version.id });
  }

  /**
   * The new version decides (first version, or auto-promoted) or scores in shadow mode. Which
   * model decides parts is an admin's call: a trainer's job never puts its model live by itself,
   * its candidate waits (in shadow mode, where there is an active version) for an admin.
   */
  private async place(record: TrainingJobRecord, version: ModelVersionRecord, evaluation: RunnerEvaluation, baseline: ModelVersionRecord | null): Promise<void> {
    const { models } = this.deps;
    const active = this.activeVersion(record.productId);
    const byAdmin = this.startedByAdmin(record);
    try {
      if (!active && !byAdmin) {
        this.warn(record.id, `${record.productId} has no active model: the new version ${version.version} waits for an admin to activate it`);
        return;
      }
      if (!active) {
        await models.activate(version, 'activate', record.createdByKeyId, `first model of ${record.productId}, trained by job ${record.id}`);
        return;
      }
      const verdict = judgeCandidate(evaluation.metrics, evaluation.baselineMetrics);
      // The comparison holds only against the version it was made with, if that is still the active one.
      if (this.options.autoPromote && byAdmin && baseline?.id === active.id && verdict.notWorse) {
        await models.activate(version, 'activate', null, `automatic promotion after job ${record.id}, not worse than ${active.version}: ${verdict.reasons.join('; ')}`);
        return;
      }
      await models.setShadow(record.productId, version, record.createdByKeyId, `candidate trained by job ${record.id}`);
    } catch (error) {
      this.warn(record.id, `the new version ${version.version} could not be ${active ? 'placed in shadow mode or promoted' : 'activated'}: ${messageOf(error)}`, error);
    }
  }

  /** Whether a live admin key started the job (a key revoked since cannot vouch for it). */
  private startedByAdmin(record: TrainingJobRecord): boolean {
    const key = record.createdByKeyId === null ? null : this.deps.keys.get(record.createdByKeyId);
    return key?.role === 'admin' && key.revokedMs === null;
  }

  /** A warning for the job's clients; the log has it in full (with `error`, when one caused it). */
  private warn(jobId: string, message: string, error?: unknown): void {
    this.deps.logger.warn({ job: jobId, err: error }, message);
    const shown = this.forClients(message);
    this.deps.store.addWarning(jobId, shown);
    this.deps.events.publish(jobId, 'warning', { message: shown });
  }

  /** `message` as the job's clients may read it: without the server's paths. */
  private forClients(message: string): string {
    return withoutPaths(message, this.deps.files.modelsDir);
  }

  /**
   * The one place a job ends: its final status (so the scheduler passes it over), its files
   * removed, then the event (so a client told the job ended finds it cleaned up), the next job.
   */
  private async end(record: TrainingJobRecord, status: Exclude<JobStatus, 'queued' | 'running'>, outcome: { error?: string; modelVersionId?: number }): Promise<void> {
    const { store, files, logger } = this.deps;
    const finished = store.finish(record.id, status, { ...outcome, error: outcome.error === undefined ? undefined : this.forClients(outcome.error) });
    await files.remove(record.id, record.productId).catch((error: unknown) => logger.warn({ job: record.id, err: error }, 'could not remove the files of a training job'));
    if (finished) this.publishStatus(record.id);
    const job = this.running.get(record.id);
    this.running.delete(record.id);
    job?.markEnded();
    logger.info({ job: record.id, product: record.productId, status, error: outcome.error }, 'training job ended');
    this.schedule();
  }

  private publishStatus(jobId: string): void {
    const job = this.deps.store.get(jobId);
    if (!job) return;
    this.deps.events.publish(jobId, 'status', {
      status: job.status,
      progress: job.progress,
      error: job.error,
      modelVersion: job.modelVersionId === null ? null : (this.deps.registry.version(job.modelVersionId)?.version ?? null),
    });
  }

  private activeVersion(productId: string): ModelVersionRecord | null {
    const product = this.deps.registry.product(productId);
    return product?.activeModelId ? this.deps.registry.version(product.activeModelId) : null;
  }

  private baseline(productId: string): Baseline | null {
    const active = this.activeVersion(productId);
    if (!active) return null;
    return { version: active.version, modelPath: path.join(active.dir, 'model.onnx'), input: active.manifest.input, threshold: effectiveImageThreshold(active, this.deps.thresholds) };
  }

  private versionTaken(productId: string, version: string): boolean {
    const { registry, store, files } = this.deps;
    return registry.versionByName(productId, version) !== null || store.pendingVersions(productId).includes(version) || existsSync(files.packageDir(productId, version));
  }

  /** A UTC timestamp, e.g. 20250301-142501, with a suffix if that is taken. */
  private nextVersion(productId: string): string {
    const base = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
    let version = base;
    for (let n = 2; this.versionTaken(productId, version); n++) version = `${base}-${n}`;
    return version;
  }
}

/** Whether `pid` is a job runner (and not some process that reused the pid after a reboot). */
async function isRunner(pid: number): Promise<boolean> {
  if (!isAlive(pid)) return false;
  const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return commandLine.includes('job-runner');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
