/** The line-health API's schemas: camera health, drift events, trends, settings and the review queue. */
import { z } from 'zod';
import { QUALITY_MEASURES } from '../health/image-quality.js';
import { LineHealthSettingsSchema } from '../health/settings.js';
import { DRIFT_EVENT_MEASURES } from '../store/drift-events.js';
import { QUEUE_REASONS } from '../store/review-queue.js';
import { ImageQualitySchema } from './image-quality-schema.js';
import { InspectionSchema, PRODUCT_PATTERN } from './schemas.js';

const product = z.string().regex(PRODUCT_PATTERN, 'must be a product id');
const label = (what: string) => z.string().trim().min(1).max(64).describe(what);
const timestamp = (what: string) => z.iso.datetime({ offset: true }).describe(`${what} (ISO 8601)`);

export const DriftEventSchema = z.object({
  id: z.number().int(),
  product: z.string(),
  line: z.string().nullable(),
  camera: z.string().nullable(),
  modelVersion: z.string(),
  measure: z.enum(DRIFT_EVENT_MEASURES).describe('what moved: rawScore is the raw score of parts decided OK'),
  explanation: z.string().describe('what moved, which way, by how much, and the test'),
  statistic: z.number().describe('Kolmogorov-Smirnov distance to the reference; -log10 p for ngRate'),
  limit: z.number(),
  referenceValue: z.number().describe('median on the calibration images; the baseline NG rate for ngRate'),
  observedValue: z.number().describe('the median of the frames since the move began; the NG rate of the window for ngRate'),
  windowSize: z.number().int().describe('frames the test compared'),
  recentFrames: z.number().int().describe('of those, the frames since the move began'),
  since: z.string().describe('when the move began, as far as the window tells'),
  detectedAt: z.string(),
  inspectionId: z.string().describe('the inspection whose arrival completed the evidence'),
  resolvedAt: z.string().nullable().describe('null while open'),
});

export const DriftEventsQuery = z.object({
  product,
  line: label('production line').optional(),
  camera: label('camera').optional(),
  open: z.enum(['true', 'false']).optional().describe('true: open events only'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.coerce.number().int().positive().optional().describe('events with a smaller id (the last id of the previous page)'),
});
export const DriftEventListSchema = z.object({ items: z.array(DriftEventSchema) });

const CheckSchema = z.object({
  measure: z.enum(DRIFT_EVENT_MEASURES),
  statistic: z.number(),
  limit: z.number(),
  referenceValue: z.number(),
  observedValue: z.number(),
});

export const CAMERA_STATUSES = ['healthy', 'drift', 'warming-up', 'no-reference'] as const;

export const LineHealthQuery = z.object({ product });
export const LineHealthSchema = z.object({
  product: z.string(),
  cameras: z.array(
    z.object({
      line: z.string().nullable(),
      camera: z.string().nullable(),
      status: z.enum(CAMERA_STATUSES).describe('drift: an event is open; warming-up: the window is not full yet; no-reference: the model package predates drift watch, so only the NG rate is watched'),
      modelVersion: z.string().nullable(),
      frames: z.number().int(),
      windowSize: z.number().int(),
      referenceAvailable: z.boolean(),
      checks: z.array(CheckSchema).describe('the latest check of each measure'),
      openEvents: z.array(DriftEventSchema),
    }),
  ),
});

export const TrendQuery = z.object({
  product,
  line: label('production line').optional(),
  camera: label('camera').optional(),
  from: timestamp('start, inclusive; default 8 hours before `to`').optional(),
  to: timestamp('end, exclusive; default now').optional(),
  buckets: z.coerce.number().int().min(2).max(500).default(48),
});

const MeasureValues = z.object(Object.fromEntries(QUALITY_MEASURES.map((m) => [m, z.number().nullable()])) as Record<(typeof QUALITY_MEASURES)[number], z.ZodNullable<z.ZodNumber>>);

export const TrendSchema = z.object({
  product: z.string(),
  modelVersion: z.string().nullable(),
  from: z.string(),
  to: z.string(),
  bucketMs: z.number().int(),
  threshold: z.number().describe('the NG threshold on the 0..1 score'),
  calibrationBand: z.object({ low: z.number(), high: z.number() }).nullable().describe("5th to 95th percentile of the calibration images' scores, on the 0..1 score; null without a reference"),
  reference: MeasureValues.nullable().describe('image quality medians of the calibration images; null for a model package without a reference'),
  buckets: z.array(
    z.object({
      start: z.string(),
      inspections: z.number().int(),
      okScoreMean: z.number().nullable().describe('mean 0..1 score of the parts decided OK'),
      quality: MeasureValues.describe('mean of each measure'),
    }),
  ),
});

export const SettingsSchema = LineHealthSettingsSchema;

const reasonText = 'ng: every NG call; near-threshold: the score was within the band around the threshold; ok-sample: a random share of clear OK parts';

export const ReviewQueueQuery = z.object({
  product,
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional().describe('nextCursor of the previous page'),
});
export const ReviewQueueSchema = z.object({
  product: z.string(),
  waiting: z.number().int().describe('entries waiting in all'),
  items: z.array(z.object({ reason: z.enum(QUEUE_REASONS).describe(reasonText), why: z.string(), queuedAt: z.string(), inspection: InspectionSchema })),
  nextCursor: z.string().nullable().describe('the next page, or null after the last'),
});

export const InspectionQualitySchema = z.object({
  quality: ImageQualitySchema.nullable(),
  reference: z
    .record(z.enum(QUALITY_MEASURES), z.object({ low: z.number(), median: z.number(), high: z.number() }))
    .nullable()
    .describe("5th percentile, median and 95th percentile on the model's calibration images"),
  referenceUnavailable: z.string().nullable().describe('why there is no reference'),
  queue: z.object({ reason: z.enum(QUEUE_REASONS), why: z.string(), waiting: z.boolean() }).nullable().describe('why the review queue holds it, if it does'),
});

export const GoodSetWaitingSchema = z.object({
  product: z.string(),
  waiting: z.number().int().describe('reviewed good images (false alarms and confirmed OK) added to the good set since the active model was trained'),
  since: z.string().nullable(),
});
