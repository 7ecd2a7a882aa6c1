/**
 * Line health: each camera's drift status and open events, the drift event log, the OK-score and
 * image-quality trends beside the calibration, the frame's quality beside its model's reference,
 * and the per-product settings (admins change them, audited).
 */
import { QUALITY_MEASURES } from '../../health/image-quality.js';
import { referenceMedian, REFERENCE_STEPS, type LineReference } from '../../health/reference.js';
import { queueReasonText } from '../../health/review-sampler.js';
import { effectiveImageThreshold } from '../../jobs/calibration-override.js';
import { normalizeScore } from '../../model/manifest.js';
import type { ServerContext } from '../context.js';
import { driftEventJson, orNull } from '../drift-event-json.js';
import {
  DriftEventListSchema,
  DriftEventsQuery,
  InspectionQualitySchema,
  LineHealthQuery,
  LineHealthSchema,
  SettingsSchema,
  TrendQuery,
  TrendSchema,
} from '../health-schemas.js';
import { HttpProblem, problems } from '../problem.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { InspectionParams, ProductParams } from '../schemas.js';

/** Trends read inspection rows on the main thread: a day of them at most per query. */
const MAX_TREND_SPAN_MS = 24 * 3_600_000;
/** Quantile steps of the calibration band and of the reference range shown: the 5th and 95th percentiles. */
const LOW_STEP = 1;
const HIGH_STEP = REFERENCE_STEPS - 1;
const NO_REFERENCE = 'The model package predates drift watch: it records no calibration reference, so score and image-quality drift are unavailable. Retrain the model to record one.';

export function lineHealthRoutes(context: ServerContext): RouteSpec[] {
  const { db, registry, thresholds, inspections, lineHealth, audit } = context;
  const knownProduct = (product: string) => {
    if (!registry.product(product)) throw problems.unknownProduct(product, registry.products().map((p) => p.id));
  };
  const activeVersion = (product: string) => {
    const id = registry.product(product)?.activeModelId;
    return id === null || id === undefined ? null : registry.version(id);
  };
  const trendRows = db.prepare(
    `SELECT CAST((created_ms - @from) / @bucketMs AS INTEGER) AS bucket, COUNT(*) AS inspections, AVG(CASE WHEN decision = 'OK' THEN score END) AS okScore,
       AVG(brightness) AS brightness, AVG(contrast) AS contrast, AVG(focus) AS focus, AVG(saturation) AS saturation
     FROM inspections
     WHERE product_id = @product AND (@line IS NULL OR line = @line) AND (@camera IS NULL OR camera = @camera) AND created_ms >= @from AND created_ms < @to
     GROUP BY bucket`,
  );
  const band = (reference: LineReference, step: number) => reference.rawScore[step];

  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/line-health',
      operationId: 'lineHealth',
      summary: "Each camera's drift status: every camera with inspections of the active model (its window restored from the log at a start), the latest checks against the model's reference and the open drift events",
      tag: 'qa',
      access: { roles: ['qa'] },
      query: LineHealthQuery,
      responses: { 200: { description: 'Camera health', schema: LineHealthSchema }, 404: { description: 'Unknown product' } },
      handle({ query }) {
        knownProduct(query.product);
        const cameras = lineHealth.monitor.health(query.product).map((camera) => ({
          line: orNull(camera.key.line),
          camera: orNull(camera.key.camera),
          status:
            camera.openEvents.length > 0 ? ('drift' as const) : camera.frames < camera.windowSize ? ('warming-up' as const) : camera.referenceAvailable ? ('healthy' as const) : ('no-reference' as const),
          modelVersion: registry.version(camera.modelVersionId)?.version ?? null,
          frames: camera.frames,
          windowSize: camera.windowSize,
          referenceAvailable: camera.referenceAvailable,
          checks: camera.checks.map(({ measure, statistic, limit, referenceValue, observedValue }) => ({ measure, statistic, limit, referenceValue, observedValue })),
          openEvents: camera.openEvents.map(driftEventJson),
        }));
        cameras.sort((a, b) => `${a.line ?? ''}/${a.camera ?? ''}`.localeCompare(`${b.line ?? ''}/${b.camera ?? ''}`));
        return { product: query.product, cameras };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/drift-events',
      operationId: 'listDriftEvents',
      summary: 'Drift events of a product, newest first: what moved on which camera, by how much, since when',
      tag: 'qa',
      access: { roles: ['qa'] },
      query: DriftEventsQuery,
      responses: { 200: { description: 'Drift events', schema: DriftEventListSchema }, 404: { description: 'Unknown product' } },
      handle({ query }) {
        knownProduct(query.product);
        const items = lineHealth.events.list({ productId: query.product, line: query.line, camera: query.camera, openOnly: query.open === 'true', beforeId: query.before, limit: query.limit });
        return { items: items.map(driftEventJson) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/line-health/trend',
      operationId: 'lineHealthTrend',
      summary: 'The OK-score and image-quality trends of a product (one line or camera), with the threshold and the calibration band; at most 24 hours',
      tag: 'qa',
      access: { roles: ['qa'] },
      query: TrendQuery,
      responses: { 200: { description: 'The trend', schema: TrendSchema }, 404: { description: 'Unknown product' } },
      handle({ query }) {
        knownProduct(query.product);
        const toMs = query.to ? Date.parse(query.to) : Date.now();
        const fromMs = query.from ? Date.parse(query.from) : toMs - 8 * 3_600_000;
        if (fromMs >= toMs) throw new HttpProblem(400, 'invalid-range', 'The time range is empty', '`from` must be before `to`.');
        if (toMs - fromMs > MAX_TREND_SPAN_MS) throw new HttpProblem(400, 'range-too-long', 'The time range is longer than 24 hours', 'Trends cover at most 24 hours per query; ask for the range in parts.');
        const bucketMs = Math.ceil((toMs - fromMs) / query.buckets);
        const rows = trendRows.all({ product: query.product, line: query.line ?? null, camera: query.camera ?? null, from: fromMs, to: toMs, bucketMs }) as ({
          bucket: number;
          inspections: number;
          okScore: number | null;
        } & Record<(typeof QUALITY_MEASURES)[number], number | null>)[];
        const byBucket = new Map(rows.map((row) => [row.bucket, row]));
        const version = activeVersion(query.product);
        const reference = version?.manifest.reference ?? null;
        const threshold = version ? effectiveImageThreshold(version, thresholds) : null;
        return {
          product: query.product,
          modelVersion: version?.version ?? null,
          from: new Date(fromMs).toISOString(),
          to: new Date(toMs).toISOString(),
          bucketMs,
          threshold: 0.5,
          calibrationBand: reference && threshold ? { low: normalizeScore(band(reference, LOW_STEP), threshold), high: normalizeScore(band(reference, HIGH_STEP), threshold) } : null,
          reference: reference ? Object.fromEntries(QUALITY_MEASURES.map((m) => [m, referenceMedian(reference[m])])) : null,
          buckets: Array.from({ length: query.buckets }, (_, k) => {
            const row = byBucket.get(k);
            return {
              start: new Date(fromMs + k * bucketMs).toISOString(),
              inspections: row?.inspections ?? 0,
              okScoreMean: row?.okScore ?? null,
              quality: Object.fromEntries(QUALITY_MEASURES.map((m) => [m, row?.[m] ?? null])),
            };
          }),
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/line-health/inspections/:id',
      operationId: 'getInspectionQuality',
      summary: "The frame's image quality beside its model's calibration reference, and why the review queue holds it",
      tag: 'qa',
      access: { roles: ['qa'] },
      params: InspectionParams,
      responses: { 200: { description: 'Quality and reference', schema: InspectionQualitySchema }, 404: { description: 'No such inspection' } },
      handle({ params }) {
        const inspection = inspections.get(params.id);
        if (!inspection) throw problems.notFound(`There is no inspection ${params.id}.`);
        const reference = lineHealth.monitor.reference(inspection.modelVersionId);
        const queued = lineHealth.queue.get(inspection.id);
        return {
          quality: inspection.quality,
          reference: reference
            ? Object.fromEntries(QUALITY_MEASURES.map((m) => [m, { low: reference[m][LOW_STEP], median: referenceMedian(reference[m]), high: reference[m][HIGH_STEP] }]))
            : null,
          referenceUnavailable: reference ? null : NO_REFERENCE,
          queue: queued ? { reason: queued.reason, why: queueReasonText(queued.reason, lineHealth.settings.get(queued.productId).review), waiting: queued.waiting } : null,
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/products/:product/line-health-settings',
      operationId: 'getLineHealthSettings',
      summary: "The product's drift settings (window, significance, smallest distance flagged, NG-rate baseline) and review sampling policy",
      tag: 'qa',
      access: { roles: ['qa'] },
      params: ProductParams,
      responses: { 200: { description: 'The settings', schema: SettingsSchema }, 404: { description: 'Unknown product' } },
      handle({ params }) {
        knownProduct(params.product);
        return lineHealth.settings.get(params.product);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/products/:product/line-health-settings',
      operationId: 'setLineHealthSettings',
      summary: "Replace the product's drift settings and review sampling policy (fields left out take their defaults); windows already filled keep their frames",
      tag: 'admin',
      access: 'admin',
      params: ProductParams,
      body: SettingsSchema,
      responses: { 200: { description: 'The settings now in force', schema: SettingsSchema }, 404: { description: 'Unknown product' } },
      handle({ params, body, apiKey }) {
        knownProduct(params.product);
        lineHealth.settings.set(params.product, body, apiKey?.id ?? null);
        audit.record({ actorKeyId: apiKey?.id ?? null, action: 'line-health.settings', target: params.product, detail: body });
        return body;
      },
    }),
  ];
}
