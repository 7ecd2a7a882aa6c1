/**
 * The inspection server: opens the database, registers the model packages on disk, loads each
 * product's active model into the inference worker, and serves the API. `close` shuts down
 * gracefully: no new connections or inspections, in-flight requests finish, then the worker and
 * SQLite are closed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { LineHealth } from '../health/line-health.js';
import { DriftEventStore } from '../store/drift-events.js';
import { JobEventHub } from '../jobs/job-event-hub.js';
import { JobFiles } from '../jobs/job-files.js';
import { ShadowScorer } from '../jobs/shadow-scorer.js';
import { TrainingJobs } from '../jobs/training-jobs.js';
import { TrainingPause } from '../jobs/training-pause.js';
import { OutboxDispatcher } from '../outbox/dispatcher.js';
import { OutboxMetrics } from '../outbox/outbox-metrics.js';
import { HotFolder } from '../line/hot-folder.js';
import { HotFolderMetrics } from '../line/hot-folder-metrics.js';
import type { LineOpcuaServer } from '../line/opcua-server.js';
import { OpcuaMetrics } from '../line/opcua-metrics.js';
import { ApiKeyStore } from '../store/api-keys.js';
import { AuditLog } from '../store/audit-log.js';
import { CameraResultStore } from '../store/camera-results.js';
import { BlobStore } from '../store/blob-store.js';
import { databasePath, openDatabase, type Db } from '../store/database.js';
import { GoodSetStore } from '../store/good-set.js';
import { InspectionStore } from '../store/inspections.js';
import { LegalHoldStore } from '../store/legal-holds.js';
import { openDeliveryConnection, OutboxStore } from '../store/outbox.js';
import { ModelEvaluationStore } from '../store/model-evaluations.js';
import { ModelRegistryStore } from '../store/model-registry.js';
import { PartStore } from '../store/parts.js';
import { SinkStore } from '../store/sinks.js';
import { ProductViewStore } from '../store/product-views.js';
import { RequestInspections } from '../store/request-inspections.js';
import { ReviewStore } from '../store/reviews.js';
import { ShadowResultStore } from '../store/shadow-results.js';
import { ThresholdOverrideStore } from '../store/threshold-overrides.js';
import { TrainingJobEventStore } from '../store/training-job-events.js';
import { TrainingJobStore } from '../store/training-jobs.js';
import { ActiveModels, type ServingModel } from './active-models.js';
import { AdmissionGate } from './admission.js';
import { createApp } from './app.js';
import type { ServerConfig } from './config.js';
import type { ServerContext } from './context.js';
import { createFirstAdminKey } from './first-admin-key.js';
import { GroupCommit } from './group-commit.js';
import { MicroBatcher } from './inference/batcher.js';
import { servingSession } from './inference/serving-session.js';
import { tuneGarbageCollector } from './gc-tuning.js';
import { ModelHost, type InferenceExecutor } from './inference/executor.js';
import { WorkerExecutor } from './inference/worker-executor.js';
import { InspectionService } from './inspection-service.js';
import { drain, listenInternal, listenPublic, type Listening } from './listeners.js';
import { createLogger } from './logger.js';
import { ServerMetrics } from './metrics.js';
import { outboundMessages } from './outbound-messages.js';
import { discoverModelPackages } from './model-discovery.js';
import { PartTracker } from './part-tracker.js';
import { RenderCache } from './render-cache.js';
import { RetentionSchedule } from './retention-schedule.js';
import type { RouteSpec } from './route.js';
import { exportRoutes } from './routes/exports.js';
import { feedbackRoutes } from './routes/feedback.js';
import { inspectRoutes } from './routes/inspect.js';
import { inspectionRoutes } from './routes/inspections.js';
import { jobRoutes } from './routes/jobs.js';
import { legalHoldRoutes } from './routes/legal-holds.js';
import { lineHealthRoutes } from './routes/line-health.js';
import { lifecycleRoutes } from './routes/lifecycle.js';
import { modelRoutes } from './routes/models.js';
import { partRoutes } from './routes/parts.js';
import { reviewQueueRoutes } from './routes/review-queue.js';
import { sinkRoutes } from './routes/sinks.js';
import { statsRoutes } from './routes/stats.js';
import { probeRoutes, systemRoutes } from './routes/system.js';
import { uiSupportRoutes } from './routes/ui-support.js';
import { submitInspection, type SubmitInspection } from './submit-inspection.js';
import { createUploadReader } from './upload.js';

export interface StartOptions {
  /** Default: JSON on stdout at the configured level. */
  logger?: Logger;
}

export interface RunningServer {
  /** http(s)://host:port, with a connectable host when listening on all interfaces. */
  url: string;
  port: number;
  /** The internal listener's http://host:port, or null without internalPort. */
  internalUrl: string | null;
  /** The OPC UA server's opc.tcp:// endpoint, or null without opcuaPort. */
  opcuaUrl: string | null;
  config: ServerConfig;
  logger: Logger;
  /** The file holding the admin key created because the database had no keys (first start), else null. */
  firstAdminKeyFile: string | null;
  /** An image into the inspection service from this process, without HTTP (as a hot folder sends it). */
  submit: SubmitInspection;
  close(): Promise<void>;
}

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  tuneGarbageCollector();
  const db = openDatabase(databasePath(config.dataDir));
  const keys = new ApiKeyStore(db);
  const registry = new ModelRegistryStore(db);
  const audit = new AuditLog(db);
  const blobs = new BlobStore(config.dataDir);
  const thresholds = new ThresholdOverrideStore(db);

  const discovery = await discoverModelPackages(config.modelsDir);
  for (const problem of discovery.problems) logger.warn({ problem }, 'skipped a model package');
  for (const pkg of discovery.packages) registry.registerPackage(pkg);

  const session = servingSession(config);
  const executor: InferenceExecutor =
    config.inferenceThread === 'worker' ? new WorkerExecutor(session, (reason) => logger.error({ err: reason }, 'inference worker restarted')) : new ModelHost(session);
  const models = new ActiveModels({ db, executor, registry, audit, thresholds, logger, modelsDir: config.modelsDir });
  let publicListener: Listening | null = null;
  let internalListener: Listening | null = null;
  let retention: RetentionSchedule | null = null;
  let trainingJobs: TrainingJobs | null = null;
  let partTracker: PartTracker | null = null;
  let dispatcher: OutboxDispatcher | null = null;
  let deliveries: Db | null = null;
  let opcua: LineOpcuaServer | null = null;
  const hotFolders: HotFolder[] = [];
  try {
    const firstAdminKeyFile = createFirstAdminKey(db, keys, config.dataDir);
    await models.start();
    const admission = new AdmissionGate(config.maxQueue);
    const maxPixels = Math.round(config.maxMegapixels * 1e6);
    const renders = new RenderCache(blobs, maxPixels, config.overlayOpacity);
    const metrics = new ServerMetrics(() => admission.depth, renders.queue);
    if (config.opcuaPort !== undefined) {
      const user = config.opcuaUser && config.opcuaPassword ? { name: config.opcuaUser, password: config.opcuaPassword } : null;
      const options = { port: config.opcuaPort, host: config.opcuaHost, user, pkiDir: path.join(config.dataDir, 'opcua-pki'), metrics: new OpcuaMetrics(metrics.registry), logger };
      // node-opcua takes over a second to import: only servers that run OPC UA pay for it
      const { LineOpcuaServer } = await import('../line/opcua-server.js');
      opcua = await LineOpcuaServer.start(options, new CameraResultStore(db).latestPerCamera(), new DriftEventStore(db).openEvents());
    }
    const lineOutput = opcua;
    const batcher = new MicroBatcher<ServingModel>(
      executor,
      { maxBatch: config.maxBatch, maxWaitMs: config.maxWaitMs, minRegionArea: config.minRegionArea },
      ({ model, size, runMs }) => {
        metrics.batchSize.observe(size);
        metrics.inferenceDuration.observe({ product: model.record.productId, model_version: model.record.version }, runMs / 1000);
      },
    );
    const sinks = new SinkStore(db);
    const outbox = new OutboxStore(db);
    const inspections = new InspectionStore(db, outbox);
    const driftEvents = new DriftEventStore(db);
    const outboxMetrics = new OutboxMetrics(metrics.registry, { summary: () => outbox.summary(), sinkNames: () => new Map(sinks.list().map((sink) => [sink.id, sink.name])) });
    const productViews = new ProductViewStore(db);
    const parts = new PartStore(db, inspections, productViews, outbox);
    deliveries = openDeliveryConnection(databasePath(config.dataDir));
    const lanes = new OutboxDispatcher({ sinks, outbox: new OutboxStore(deliveries), compose: outboundMessages(inspections, renders, config, driftEvents, parts), metrics: outboxMetrics, logger, retryMaxMs: config.sinkRetryMaxMs });
    dispatcher = lanes;
    const holds = new LegalHoldStore(db);
    // a part closed by its deadline has verdicts in the outbox that no inspection wakes the lanes for
    partTracker = new PartTracker(parts, config.maxPartWaits, logger, () => lanes.wake());
    const shadowResults = new ShadowResultStore(db);
    const shadow = new ShadowScorer({ models, batcher, admission, results: shadowResults, logger, maxPixels });
    const evaluations = new ModelEvaluationStore(db);
    const jobStore = new TrainingJobStore(db);
    const jobEvents = new JobEventHub(new TrainingJobEventStore(db));
    const trainingPause = new TrainingPause();
    trainingJobs = new TrainingJobs(
      { db, store: jobStore, events: jobEvents, registry, models, evaluations, thresholds, blobs, files: new JobFiles(config.dataDir, config.modelsDir), keys, pause: trainingPause, logger },
      { maxRunning: config.maxTrainingJobs, maxQueuedPerProduct: config.maxQueuedJobsPerProduct, autoPromote: config.autoPromote, session },
    );
    const goodSet = new GoodSetStore(db);
    const lineHealth = new LineHealth({
      db,
      registry,
      inspections,
      events: driftEvents,
      outbox,
      goodSet: { blobs, files: trainingJobs.files, store: goodSet },
      audit,
      metrics: metrics.registry,
      logger,
      onDriftChanged: (camera, open) => lineOutput?.showDrift(camera, open),
    });
    const context: ServerContext = {
      config,
      version: VERSION,
      logger,
      db,
      keys,
      registry,
      inspections,
      reviews: new ReviewStore(db),
      audit,
      blobs,
      models,
      service: new InspectionService({
        models,
        admission,
        batcher,
        commits: new GroupCommit(db),
        blobs,
        inspections,
        parts: partTracker,
        holds,
        lineHealth,
        metrics,
        maxPixels,
        afterInspection: (inspection, image) => {
          shadow.offer(inspection, image);
          lineOutput?.publish(inspection);
          // the sinks' lanes deliver on their own time: nothing here waits for them
          lanes.wake();
        },
        activity: trainingPause,
      }),
      renders,
      metrics,
      readUpload: createUploadReader(config.maxUploadBytes),
      trainingJobs,
      jobStore,
      jobEvents,
      evaluations,
      thresholds,
      shadow,
      shadowResults,
      goodSet,
      productViews,
      parts,
      partTracker,
      holds,
      sinks,
      outbox,
      dispatcher: lanes,
      lineHealth,
      lifecycle: { draining: false },
    };
    const routes: RouteSpec[] = [];
    routes.push(...inspectRoutes(context), ...inspectionRoutes(context), ...modelRoutes(context), ...statsRoutes(context), ...systemRoutes(context, () => routes));
    routes.push(...uiSupportRoutes(context));
    routes.push(...jobRoutes(context), ...lifecycleRoutes(context), ...feedbackRoutes(context));
    routes.push(...partRoutes(context), ...legalHoldRoutes(context), ...exportRoutes(context));
    routes.push(...sinkRoutes(context));
    routes.push(...lineHealthRoutes(context), ...reviewQueueRoutes(context));
    await trainingJobs.start();
    // results left undelivered by the last run go out first
    lanes.start();
    // parts whose deadline passed while the server was down are closed before anyone can ask
    partTracker.start();

    publicListener = await listenPublic(createApp(context, routes), config);
    internalListener = await listenInternal(createApp(context, probeRoutes(context, 'internal'), { ui: false }), config);
    const requestInspections = new RequestInspections(db);
    const submit = submitInspection(context);
    const hotFolderMetrics = new HotFolderMetrics(metrics.registry);
    for (const folder of config.hotFolders) {
      const hotFolder = new HotFolder({
        folder,
        settleMs: config.hotFolderSettleMs,
        maxUploadBytes: config.maxUploadBytes,
        submit,
        loggedInspection: (sha256, requestId) => requestInspections.find(sha256, requestId),
        metrics: hotFolderMetrics.of(folder),
        logger,
      });
      hotFolders.push(hotFolder);
      await hotFolder.start();
    }
    const { url, port } = publicListener;
    const internalUrl = internalListener?.url ?? null;

    retention = new RetentionSchedule(db, blobs, { maxAgeMs: config.retentionMaxAgeDays * 86_400_000, maxBytes: config.retentionMaxBytes }, logger);
    retention.start(config.retentionIntervalMinutes * 60_000);
    logger.info({ url, internalUrl, products: models.status() }, 'kensa is serving');

    const servers = internalListener ? [publicListener.server, internalListener.server] : [publicListener.server];
    const schedule = retention;
    const jobs = trainingJobs;
    const deliveryDb = deliveries;
    const tracker = partTracker;
    let closing: Promise<void> | null = null;
    return {
      url,
      port,
      internalUrl,
      opcuaUrl: lineOutput?.endpointUrl ?? null,
      config,
      logger,
      firstAdminKeyFile,
      submit,
      close: () =>
        (closing ??= (async () => {
          context.lifecycle.draining = true;
          logger.info('shutting down: finishing in-flight requests');
          // Training runners are killed (their jobs marked failed) and job event streams end at once, so they do not hold the drain.
          const jobsClosed = jobs.close();
          // long-polls are answered with their part as it is, so they do not hold the drain either
          tracker.stop();
          await Promise.all([...servers.map((server) => drain(server, config.shutdownTimeoutMs)), ...hotFolders.map((folder) => folder.close())]);
          await lineOutput?.close();
          await jobsClosed;
          await shadow.stop();
          await lanes.stop();
          deliveryDb.close();
          await schedule.stop();
          await executor.close();
          db.close();
          logger.info('shut down');
        })()),
    };
  } catch (error) {
    partTracker?.stop();
    await dispatcher?.stop();
    deliveries?.close();
    await Promise.all(hotFolders.map((folder) => folder.close()));
    await opcua?.close();
    publicListener?.server.close();
    internalListener?.server.close();
    await trainingJobs?.close();
    await retention?.stop();
    await executor.close();
    db.close();
    throw error;
  }
}
