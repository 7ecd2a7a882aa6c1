/**
 * The API's zod schemas: what requests must look like (validated at the edge) and what responses
 * look like (typed in the handlers). The OpenAPI document is generated from these.
 */
import { z } from 'zod';
import { COLORMAPS } from '../model/heatmap.js';
import { ID_PATTERN } from '../store/ids.js';
import { REVIEW_VERDICTS } from '../store/inspections.js';
import { ImageQualitySchema } from './image-quality-schema.js';
import { OVERLAY_OPACITIES } from './render-cache.js';

/** Product ids and version names are also directory names: no separators, no leading dot. */
export const PRODUCT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const productId = z.string().regex(PRODUCT_PATTERN, 'must be a product id: letters, digits, ".", "_" or "-", at most 64 characters');
const label = (what: string) => z.string().trim().min(1).max(64).describe(what);
const timestamp = (what: string) => z.iso.datetime({ offset: true }).describe(`${what} (ISO 8601)`);
const score = z.coerce.number().min(0).max(1);
const verdict = z.enum(REVIEW_VERDICTS);

// ---- traceability: what the line says an image shows

export const MAX_TRACE_LENGTH = 64;
export const MAX_ATTRIBUTES = 16;
export const MAX_ATTRIBUTE_VALUE_LENGTH = 128;
/** View names and attribute keys are identifiers the line's configuration uses, not free text. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

/** Free text from the line (a serial, a lot): trimmed, bounded, printable. */
export const traceText = (what: string, max = MAX_TRACE_LENGTH) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .regex(/^\P{Cc}*$/u, 'must not contain control characters')
    .describe(what);
export const viewName = z.string().regex(NAME_PATTERN, 'must be a view name: a letter or digit, then letters, digits, ".", "_" or "-", at most 32 characters');
const partId = traceText("the part's id (its serial number)");

const ATTRIBUTE_NAME = 'must be an attribute name: a letter or digit, then letters, digits, ".", "_" or "-", at most 32 characters';
const Attributes = z
  // a bad key's own message is hidden behind the record's "invalid key" unless said here
  .record(z.string().regex(NAME_PATTERN), traceText('', MAX_ATTRIBUTE_VALUE_LENGTH), { error: (issue) => (issue.code === 'invalid_key' ? ATTRIBUTE_NAME : undefined) })
  .refine((attributes) => Object.keys(attributes).length <= MAX_ATTRIBUTES, `at most ${MAX_ATTRIBUTES} attributes`)
  .describe(`free key/value attributes, as attr[name]=value (at most ${MAX_ATTRIBUTES}, values at most ${MAX_ATTRIBUTE_VALUE_LENGTH} characters)`);

/** The traceability fields of the inspect call's query; their problems get their own title. */
export const TRACE_FIELDS = {
  part: partId.optional(),
  lot: traceText('the lot the part belongs to').optional(),
  station: traceText('the station (or cell) that took the image').optional(),
  view: viewName.optional().describe("which of a multi-view product's views the image shows; needs `part`"),
  attr: Attributes.optional(),
};

/** `attr[name]=value` query parameters (a deepObject) gathered into `attr`; the query string parser leaves them flat. */
function gatherAttributes(query: unknown): unknown {
  if (typeof query !== 'object' || query === null) return query;
  const rest: Record<string, unknown> = {};
  const attr: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    const name = /^attr\[(.*)\]$/.exec(key)?.[1];
    if (name === undefined) rest[key] = value;
    else attr[name] = value;
  }
  return Object.keys(attr).length ? { ...rest, attr } : rest;
}

// ---- requests

/** Strict: a misspelt traceability field is refused, never dropped in silence. */
export const InspectQuery = z.preprocess(
  gatherAttributes,
  z.strictObject({
    product: productId.describe("the product the image shows (of a multi-view product, the part's product)"),
    line: label('production line').optional(),
    camera: label('camera').optional(),
    ...TRACE_FIELDS,
  }),
);

export const InspectionListQuery = z.object({
  product: productId.optional(),
  line: label('production line').optional(),
  camera: label('camera').optional(),
  part: partId.optional().describe("the part's id (serial), exactly"),
  lot: traceText('the lot, exactly').optional(),
  station: traceText('the station, exactly').optional(),
  view: viewName.optional(),
  decision: z.enum(['OK', 'NG']).optional(),
  review: z.enum(['unreviewed', 'reviewed', ...REVIEW_VERDICTS]).optional().describe('review state: unreviewed, reviewed (any verdict) or one verdict'),
  minScore: score.optional().describe('lowest score, inclusive'),
  maxScore: score.optional().describe('highest score, inclusive'),
  from: timestamp('earliest inspection time, inclusive').optional(),
  to: timestamp('latest inspection time, exclusive').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('page size'),
  cursor: z.string().max(200).optional().describe('nextCursor of the previous page'),
});

export const InspectionParams = z.object({ id: z.string().regex(ID_PATTERN, 'must be an inspection id') });

export const INSPECTION_FILES = ['image', 'heatmap', 'overlay', 'mask'] as const;
export const InspectionFileParams = InspectionParams.extend({ file: z.enum(INSPECTION_FILES) });

export const RenderQuery = z.object({
  colormap: z.enum(COLORMAPS).optional().describe('heatmap and overlay colormap (default: server setting)'),
  opacity: z.coerce
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe(`overlay opacity of the heatmap: ${OVERLAY_OPACITIES.join(', ')} or the server setting overlayOpacity (the default); others are refused`),
});

export const ReviewBody = z.strictObject({
  verdict: verdict.describe('true_defect: NG confirmed; false_alarm: NG on a good part; missed_defect: OK on a defective part; ok: OK confirmed'),
  note: z.string().max(2000).optional(),
});

export const ProductParams = z.object({ product: productId });
export const ModelParams = ProductParams.extend({ version: z.string().regex(VERSION_PATTERN, 'must be a model version name') });
export const ModelsQuery = z.object({ product: productId.optional() });

export const STATS_BUCKETS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
export const StatsQuery = z.object({
  product: productId.optional(),
  line: label('production line').optional(),
  camera: label('camera').optional(),
  from: timestamp('start, inclusive; default 24 hours before `to`').optional(),
  to: timestamp('end, exclusive; default now').optional(),
  bucket: z.enum(['minute', 'hour', 'day']).default('hour'),
});

export const AuditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.number().int().positive().optional().describe('entries older than this id'),
});

// ---- responses

export const RegionSchema = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  area: z.number().int().describe('defect pixels, in original-image pixels'),
  peak: z.number().describe('highest pixel score inside, 0..1, 0.5 at the pixel threshold'),
});

export const ReviewSchema = z.object({
  verdict,
  note: z.string().nullable(),
  reviewer: z.string().nullable().describe('prefix of the reviewer key'),
  createdAt: z.string(),
});

export const InspectionSchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  product: z.string(),
  line: z.string().nullable(),
  camera: z.string().nullable(),
  modelVersion: z.string(),
  decision: z.enum(['OK', 'NG']),
  score: z.number().describe('0..1; NG at 0.5 and above'),
  rawScore: z.number().describe("the model's raw energy"),
  threshold: z.number().describe('the raw image threshold'),
  regions: z.array(RegionSchema).describe('defect regions, in original-image pixels'),
  image: z.object({ format: z.string(), width: z.number().int(), height: z.number().int(), bytes: z.number().int(), sha256: z.string() }),
  stored: z.object({ image: z.boolean(), map: z.boolean() }).describe('false once the retention policy removed the file'),
  links: z.object({ self: z.string(), image: z.string(), heatmap: z.string(), overlay: z.string(), mask: z.string() }),
  timings: z
    .object({ receiveMs: z.number(), decodeMs: z.number(), queueMs: z.number(), inferenceMs: z.number(), storeMs: z.number(), totalMs: z.number() })
    .describe('milliseconds per stage: reading the upload, decoding, waiting for a batch, the batch, storing; total'),
  reviewState: z.enum(['unreviewed', ...REVIEW_VERDICTS]),
  reviews: z.array(ReviewSchema).optional().describe('all reviews, oldest first (single-inspection reads only)'),
  part: z.string().nullable().describe("the part's id (serial) the line sent"),
  lot: z.string().nullable(),
  station: z.string().nullable(),
  view: z.string().nullable(),
  attributes: z.record(z.string(), z.string()),
  partRecord: z
    .object({ product: z.string(), part: z.string(), pass: z.number().int(), link: z.string() })
    .nullable()
    .describe('the pass of the multi-view part this inspection is a view of'),
  legalHold: z.boolean().describe('a legal hold on its lot or part keeps its files from retention'),
  quality: ImageQualitySchema.nullable().describe('image quality of the model input; null for inspections logged before it was measured'),
});
export type InspectionJson = z.infer<typeof InspectionSchema>;

export const InspectionListSchema = z.object({ items: z.array(InspectionSchema), nextCursor: z.string().nullable() });

const ModelSummarySchema = z.object({
  product: z.string(),
  version: z.string(),
  method: z.string(),
  backbone: z.string(),
  createdAt: z.string(),
  registeredAt: z.string(),
  active: z.boolean(),
  input: z.object({ policy: z.string(), size: z.number(), height: z.number().optional(), maxSize: z.number().optional(), multiple: z.number() }),
  calibration: z.object({ imageThreshold: z.number(), pixelThreshold: z.number(), rule: z.string(), expectedFalseCallRate: z.number() }),
  metrics: z.record(z.string(), z.number()),
});
export type ModelSummaryJson = z.infer<typeof ModelSummarySchema>;
export const ModelListSchema = z.object({ items: z.array(ModelSummarySchema) });

export const ProductListSchema = z.object({
  items: z.array(z.object({ id: z.string(), activeVersion: z.string().nullable(), versions: z.number().int(), loaded: z.boolean() })),
});

export const ActivationSchema = z.object({ product: z.string(), activeVersion: z.string(), previousVersion: z.string().nullable() });

export const StatsSchema = z.object({
  from: z.string(),
  to: z.string(),
  bucket: z.string(),
  buckets: z.array(
    z.object({
      product: z.string(),
      line: z.string().nullable(),
      start: z.string(),
      inspections: z.number().int(),
      ng: z.number().int(),
      ngRate: z.number(),
      scoreHistogram: z.array(z.number().int()).describe('ten bins of width 0.1'),
      reviews: z.record(z.string(), z.number().int()),
      latencyMs: z.object({ mean: z.number(), max: z.number() }),
    }),
  ),
});

export const AuditListSchema = z.object({
  items: z.array(
    z.object({
      id: z.number().int(),
      at: z.string(),
      actorKeyId: z.number().int().nullable(),
      actor: z.object({ name: z.string(), prefix: z.string() }).nullable().describe('the key that acted; null when the server acted by itself (automatic promotion)'),
      action: z.string(),
      target: z.string(),
      detail: z.record(z.string(), z.unknown()),
    }),
  ),
});

export const HealthSchema = z.object({ status: z.string() });
export const ReadinessSchema = z.object({
  status: z.enum(['ready', 'not-ready']),
  products: z
    .array(z.object({ id: z.string(), activeVersion: z.string().nullable(), loaded: z.boolean(), error: z.string().nullable() }))
    .optional()
    .describe('only on the internal listener, or with an admin key'),
});
