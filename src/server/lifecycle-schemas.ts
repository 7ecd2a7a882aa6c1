/**
 * The zod schemas of the retraining and model lifecycle API: training jobs, comparisons, shadow
 * mode, threshold re-calibration and the good set. Requests are validated with these at the
 * edge; the OpenAPI document is generated from them (as from schemas.ts).
 */
import { z } from 'zod';
import { RecipeOverridesSchema } from '../jobs/recipe.js';
import { ID_PATTERN } from '../store/ids.js';
import { JOB_STATUSES } from '../store/training-jobs.js';
import { InspectionSchema, PRODUCT_PATTERN, VERSION_PATTERN } from './schemas.js';

const productId = z.string().regex(PRODUCT_PATTERN, 'must be a product id: letters, digits, ".", "_" or "-", at most 64 characters');
const versionName = z.string().regex(VERSION_PATTERN, 'must be a version name: letters, digits, ".", "_" or "-", at most 128 characters');
const reason = z.string().trim().min(1).max(500).describe('why: kept in the audit log');
const limit = z.coerce.number().int().min(1).max(200).default(50).describe('page size');

// ---- requests

export const JobUploadQuery = RecipeOverridesSchema.extend({
  product: productId.describe('the product the images show (a new product is created)'),
  version: versionName.optional().describe('name of the version to produce (default: a UTC timestamp)'),
  includeGoodSet: z.stringbool().default(true).describe("train on the product's good set too (inspections QA marked good)"),
});

export const JobFolderBody = RecipeOverridesSchema.extend({
  product: productId,
  version: versionName.optional(),
  folder: z.string().min(1).max(4096).describe('absolute path of a folder inside an allowed training root (server setting trainingRoots)'),
  includeGoodSet: z.boolean().default(true),
}).strict();

export const JobListQuery = z.object({ product: productId.optional(), status: z.enum(JOB_STATUSES).optional(), limit });
export const JobParams = z.object({ id: z.string().regex(ID_PATTERN, 'must be a job id') });
export const JobEventsQuery = z.object({ after: z.coerce.number().int().min(0).optional().describe('replay events after this id (as the Last-Event-ID header does)') });

export const ShadowBody = z.strictObject({
  version: versionName.nullable().describe('the version to score in shadow mode; null stops shadow scoring'),
  reason,
});

export const ShadowResultsQuery = z.object({
  disagreements: z.stringbool().default(true).describe('only the inspections where the shadow decided otherwise'),
  limit,
  before: z.string().regex(ID_PATTERN).optional().describe('nextBefore of the previous page'),
});

export const ThresholdRatesQuery = z.object({
  thresholds: z
    .string()
    .max(2000)
    .regex(/^-?[\d.e+-]+(,-?[\d.e+-]+)*$/i, 'must be raw thresholds separated by commas')
    .transform((value) => value.split(',').map(Number))
    .refine((values) => values.every(Number.isFinite) && values.length <= 100, 'at most 100 finite numbers')
    .optional()
    .describe('raw thresholds to evaluate, comma-separated (default: the current and calibrated ones and a sweep over the reviewed scores)'),
});

export const ThresholdBody = z.strictObject({
  threshold: z.number().finite().nullable().describe("the new raw image threshold; null restores the manifest's calibration"),
  reason,
});

export const GoodSetBody = z.strictObject({ note: z.string().max(2000).optional().describe('kept in the audit log') });

export const ActivationBody = z.strictObject({ reason: reason.optional() });

// ---- responses

export const JobSchema = z.object({
  id: z.string(),
  product: z.string(),
  version: z.string().describe('the version the job produces'),
  status: z.enum(JOB_STATUSES),
  stage: z.string().nullable().describe('features, train, calibrate or evaluate'),
  progress: z.number().describe('0..1, the whole job'),
  message: z.string().nullable(),
  queuePosition: z.number().int().nullable().describe('1: starts next; null unless queued'),
  source: z.object({ kind: z.enum(['upload', 'folder']), folder: z.string().optional(), images: z.number().int(), goodSetImages: z.number().int() }),
  recipe: z.object({
    basedOn: z.string().describe('"<product>/<version>" whose training is repeated, or "defaults"'),
    method: z.string(),
    backbone: z.string(),
    input: z.object({ policy: z.string(), size: z.number().int(), height: z.number().int().optional().describe('fill only: the height of a frame-shaped input') }),
    validationFraction: z.number(),
    falseCallRate: z.number(),
    seed: z.number().int(),
  }),
  warnings: z.array(z.string()),
  error: z.string().nullable(),
  modelVersion: z.string().nullable().describe('set when the job succeeded'),
  createdBy: z.string().nullable().describe('prefix of the key that started it'),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  links: z.object({ self: z.string(), events: z.string(), cancel: z.string(), comparison: z.string().nullable() }),
});
export type JobJson = z.infer<typeof JobSchema>;
export const JobListSchema = z.object({ items: z.array(JobSchema) });

const MetricsSchema = z.object({
  threshold: z.number().describe('raw image threshold the decisions used'),
  goodImages: z.number().int(),
  defectImages: z.number().int(),
  falseCalls: z.number().int(),
  falseCallRate: z.number().nullable(),
  escapes: z.number().int(),
  escapeRate: z.number().nullable(),
  auroc: z.number().nullable(),
});

export const ComparisonSchema = z.object({
  product: z.string(),
  candidate: z.object({ version: z.string(), metrics: MetricsSchema }),
  baseline: z.object({ version: z.string(), metrics: MetricsSchema }).nullable().describe('the version that was active when the candidate was trained'),
  activeVersion: z.string().nullable().describe('the active version now'),
  shadowVersion: z.string().nullable(),
  material: z.object({ heldOutGood: z.number().int(), reviewedGood: z.number().int(), reviewedDefect: z.number().int() }),
  verdict: z.object({ notWorse: z.boolean(), reasons: z.array(z.string()) }),
  evaluatedAt: z.string(),
  job: z.string().nullable(),
});

const ShadowSummarySchema = z.object({
  scored: z.number().int(),
  disagreements: z.number().int(),
  shadowOnlyNg: z.number().int().describe('shadow NG where the active version said OK'),
  shadowOnlyOk: z.number().int().describe('shadow OK where the active version said NG'),
});

export const ShadowStatusSchema = z.object({
  product: z.string(),
  activeVersion: z.string().nullable(),
  shadowVersion: z.string().nullable(),
  summary: ShadowSummarySchema.nullable(),
  dropped: z.number().int().describe('live images not shadow-scored since the start because the server had no idle time'),
});

export const ShadowResultsSchema = z.object({
  product: z.string(),
  version: z.string(),
  summary: ShadowSummarySchema,
  items: z.array(
    z.object({
      inspection: InspectionSchema,
      shadow: z.object({ decision: z.enum(['OK', 'NG']), score: z.number(), rawScore: z.number(), threshold: z.number(), createdAt: z.string() }),
    }),
  ),
  nextBefore: z.string().nullable(),
});

export const ThresholdRatesSchema = z.object({
  product: z.string(),
  version: z.string(),
  center: z.number().describe('median raw score of held-out good parts: thresholds must lie above it'),
  calibratedThreshold: z.number(),
  currentThreshold: z.number(),
  reviewed: z.object({ good: z.number().int(), defect: z.number().int() }),
  rates: z.array(
    z.object({
      threshold: z.number(),
      falseCalls: z.number().int(),
      falseCallRate: z.number().nullable(),
      escapes: z.number().int(),
      escapeRate: z.number().nullable(),
      current: z.boolean(),
      calibrated: z.boolean(),
    }),
  ),
});

export const ThresholdSchema = z.object({
  product: z.string(),
  version: z.string(),
  threshold: z.number().describe('the raw image threshold in force'),
  calibratedThreshold: z.number(),
  overridden: z.boolean(),
});

export const GoodSetEntrySchema = z.object({ inspectionId: z.string(), product: z.string(), file: z.string(), addedAt: z.string(), reviewState: z.string() });
export const GoodSetListSchema = z.object({ product: z.string(), items: z.array(GoodSetEntrySchema) });
