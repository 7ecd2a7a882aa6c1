/** Everything the route handlers use, built once by the server. */
import type { Logger } from 'pino';
import type { OutboxDispatcher } from '../outbox/dispatcher.js';
import type { LineHealth } from '../health/line-health.js';
import type { JobEventHub } from '../jobs/job-event-hub.js';
import type { ShadowScorer } from '../jobs/shadow-scorer.js';
import type { TrainingJobs } from '../jobs/training-jobs.js';
import type { ApiKeyStore } from '../store/api-keys.js';
import type { AuditLog } from '../store/audit-log.js';
import type { BlobStore } from '../store/blob-store.js';
import type { Db } from '../store/database.js';
import type { GoodSetStore } from '../store/good-set.js';
import type { InspectionStore } from '../store/inspections.js';
import type { LegalHoldStore } from '../store/legal-holds.js';
import type { OutboxStore } from '../store/outbox.js';
import type { ModelEvaluationStore } from '../store/model-evaluations.js';
import type { ModelRegistryStore } from '../store/model-registry.js';
import type { PartStore } from '../store/parts.js';
import type { ProductViewStore } from '../store/product-views.js';
import type { ReviewStore } from '../store/reviews.js';
import type { SinkStore } from '../store/sinks.js';
import type { ShadowResultStore } from '../store/shadow-results.js';
import type { ThresholdOverrideStore } from '../store/threshold-overrides.js';
import type { TrainingJobStore } from '../store/training-jobs.js';
import type { ActiveModels } from './active-models.js';
import type { ServerConfig } from './config.js';
import type { InspectionService } from './inspection-service.js';
import type { ServerMetrics } from './metrics.js';
import type { PartTracker } from './part-tracker.js';
import type { RenderCache } from './render-cache.js';
import type { UploadReader } from './upload.js';

export interface ServerContext {
  config: ServerConfig;
  version: string;
  logger: Logger;
  db: Db;
  keys: ApiKeyStore;
  registry: ModelRegistryStore;
  inspections: InspectionStore;
  reviews: ReviewStore;
  audit: AuditLog;
  blobs: BlobStore;
  models: ActiveModels;
  service: InspectionService;
  renders: RenderCache;
  metrics: ServerMetrics;
  readUpload: UploadReader;
  trainingJobs: TrainingJobs;
  jobStore: TrainingJobStore;
  jobEvents: JobEventHub;
  evaluations: ModelEvaluationStore;
  thresholds: ThresholdOverrideStore;
  shadow: ShadowScorer;
  shadowResults: ShadowResultStore;
  goodSet: GoodSetStore;
  productViews: ProductViewStore;
  parts: PartStore;
  partTracker: PartTracker;
  holds: LegalHoldStore;
  /** Where results are sent (webhooks, MQTT, folders), their outbox and its dispatcher. */
  sinks: SinkStore;
  outbox: OutboxStore;
  dispatcher: OutboxDispatcher;
  /** Drift watch, the sampled review queue and their settings. */
  lineHealth: LineHealth;
  /** Set when shutdown begins: readiness fails and new inspections are refused. */
  lifecycle: { draining: boolean };
}
