/**
 * The API's response types, taken from the server's own zod schemas (type-only imports, erased
 * from the bundle), so the UI cannot drift from what the server sends.
 */
import type { z } from 'zod';
import type { RecipeOverrides } from '../../../jobs/recipe.js';
import type {
  ComparisonSchema,
  GoodSetEntrySchema,
  GoodSetListSchema,
  JobListSchema,
  JobSchema,
  ShadowResultsSchema,
  ShadowStatusSchema,
  ThresholdRatesSchema,
  ThresholdSchema,
} from '../../../server/lifecycle-schemas.js';
import type {
  DriftEventListSchema,
  GoodSetWaitingSchema,
  InspectionQualitySchema,
  LineHealthSchema,
  ReviewQueueSchema,
  TrendSchema,
} from '../../../server/health-schemas.js';
import type { Facets, Neighbors, WhoAmI } from '../../../server/routes/ui-support.js';
import type { LegalHoldSchema, PartJson } from '../../../server/traceability-schemas.js';
import type { PartReviewVerdict } from '../../../store/part-reviews.js';
import type {
  ActivationSchema,
  AuditListSchema,
  InspectionJson,
  InspectionListSchema,
  ModelListSchema,
  ProductListSchema,
  ReviewSchema,
  StatsSchema,
} from '../../../server/schemas.js';
import type { DeadLetterListSchema, SinkListSchema } from '../../../server/sink-schemas.js';
import type { ReviewState, ReviewVerdict } from '../../../store/inspections.js';
import type { JobStatus } from '../../../store/training-jobs.js';

export type Inspection = InspectionJson;
export type InspectionList = z.infer<typeof InspectionListSchema>;
export type Review = z.infer<typeof ReviewSchema>;
export type Region = Inspection['regions'][number];
export type ModelSummary = z.infer<typeof ModelListSchema>['items'][number];
export type Product = z.infer<typeof ProductListSchema>['items'][number];
export type Stats = z.infer<typeof StatsSchema>;
export type StatsBucket = Stats['buckets'][number];
export type { Facets, Neighbors, ReviewState, ReviewVerdict, WhoAmI };

export type Job = z.infer<typeof JobSchema>;
export type JobList = z.infer<typeof JobListSchema>;
export type { JobStatus, RecipeOverrides };
export type Comparison = z.infer<typeof ComparisonSchema>;
export type EvaluationMetrics = Comparison['candidate']['metrics'];
export type ShadowStatus = z.infer<typeof ShadowStatusSchema>;
export type ShadowResults = z.infer<typeof ShadowResultsSchema>;
export type ShadowResult = ShadowResults['items'][number];
export type ThresholdRates = z.infer<typeof ThresholdRatesSchema>;
export type ThresholdRate = ThresholdRates['rates'][number];
export type ThresholdInForce = z.infer<typeof ThresholdSchema>;
export type GoodSetEntry = z.infer<typeof GoodSetEntrySchema>;
export type GoodSetList = z.infer<typeof GoodSetListSchema>;
export type Activation = z.infer<typeof ActivationSchema>;
export type AuditEntry = z.infer<typeof AuditListSchema>['items'][number];
export type Part = PartJson;
export type LegalHold = z.infer<typeof LegalHoldSchema>;
export type PartView = Part['views'][number];
export type { PartReviewVerdict };
export type Sink = z.infer<typeof SinkListSchema>['items'][number];
export type DeadLetter = z.infer<typeof DeadLetterListSchema>['items'][number];
export type LineHealth = z.infer<typeof LineHealthSchema>;
export type CameraHealth = LineHealth['cameras'][number];
export type DriftEvent = z.infer<typeof DriftEventListSchema>['items'][number];
export type HealthTrend = z.infer<typeof TrendSchema>;
export type ReviewQueue = z.infer<typeof ReviewQueueSchema>;
export type InspectionQuality = z.infer<typeof InspectionQualitySchema>;
export type GoodSetWaiting = z.infer<typeof GoodSetWaitingSchema>;
