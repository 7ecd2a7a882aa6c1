/**
 * The model lifecycle after training: a candidate's comparison with the version it would replace,
 * shadow mode (which version scores live traffic beside the active one, and where they disagree),
 * and threshold re-calibration from reviewed inspections. QA reads; admins change. Promotion and
 * rollback are the activate and rollback endpoints of models.ts.
 */
import { effectiveImageThreshold } from '../../jobs/calibration-override.js';
import { judgeCandidate } from '../../jobs/promotion.js';
import { candidateThresholds, thresholdRates } from '../../jobs/threshold-rates.js';
import type { ModelVersionRecord } from '../../store/model-registry.js';
import { reviewedScores } from '../../store/review-material.js';
import type { ServerContext } from '../context.js';
import { inspectionJson } from '../inspection-json.js';
import {
  ComparisonSchema,
  ShadowBody,
  ShadowResultsQuery,
  ShadowResultsSchema,
  ShadowStatusSchema,
  ThresholdBody,
  ThresholdRatesQuery,
  ThresholdRatesSchema,
  ThresholdSchema,
} from '../lifecycle-schemas.js';
import { HttpProblem, problems } from '../problem.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { ModelParams, ProductParams } from '../schemas.js';

export function lifecycleRoutes(context: ServerContext): RouteSpec[] {
  const { db, registry, models, evaluations, thresholds, shadow, shadowResults, inspections, audit } = context;
  const productOf = (id: string) => {
    const product = registry.product(id);
    if (!product) throw problems.unknownProduct(id, registry.products().map((p) => p.id));
    return product;
  };
  const versionOf = (productId: string, version: string) => {
    productOf(productId);
    const record = registry.versionByName(productId, version);
    if (!record) throw problems.notFound(`Product "${productId}" has no model version "${version}".`);
    return record;
  };
  const nameOf = (versionId: number | null) => (versionId === null ? null : (registry.version(versionId)?.version ?? null));
  const shadowStatus = (productId: string) => {
    const product = productOf(productId);
    return {
      product: productId,
      activeVersion: nameOf(product.activeModelId),
      shadowVersion: nameOf(product.shadowModelId),
      summary: product.shadowModelId === null ? null : shadowResults.summary(product.shadowModelId),
      dropped: shadow.dropped,
    };
  };
  const thresholdJson = (record: ModelVersionRecord) => {
    const threshold = effectiveImageThreshold(record, thresholds).threshold;
    const calibratedThreshold = record.manifest.calibration.image.threshold;
    return { product: record.productId, version: record.version, threshold, calibratedThreshold, overridden: threshold !== calibratedThreshold };
  };

  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/models/:product/:version/comparison',
      operationId: 'compareModel',
      summary: 'A trained version beside the version that was active when it was trained, scored on the same validation material',
      tag: 'lifecycle',
      access: { roles: ['qa'] },
      params: ModelParams,
      responses: { 200: { description: 'Both versions\' metrics', schema: ComparisonSchema }, 404: { description: 'Unknown version, or not evaluated (not trained by a job)' } },
      handle({ params }) {
        const record = versionOf(params.product, params.version);
        const evaluation = evaluations.latest(record.id);
        if (!evaluation) throw problems.notFound(`${params.product}/${params.version} has no evaluation: versions trained by a training job are evaluated when the job ends.`);
        const product = productOf(params.product);
        const baselineVersion = nameOf(evaluation.baselineVersionId);
        return {
          product: params.product,
          candidate: { version: record.version, metrics: evaluation.metrics },
          baseline: baselineVersion && evaluation.baselineMetrics ? { version: baselineVersion, metrics: evaluation.baselineMetrics } : null,
          activeVersion: nameOf(product.activeModelId),
          shadowVersion: nameOf(product.shadowModelId),
          material: evaluation.material,
          verdict: judgeCandidate(evaluation.metrics, evaluation.baselineMetrics),
          evaluatedAt: new Date(evaluation.createdMs).toISOString(),
          job: evaluation.jobId,
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/products/:product/shadow',
      operationId: 'getShadow',
      summary: 'The version in shadow mode, and how often it disagreed with the active one',
      tag: 'lifecycle',
      access: { roles: ['qa'] },
      params: ProductParams,
      responses: { 200: { description: 'Shadow mode', schema: ShadowStatusSchema }, 404: { description: 'Unknown product' } },
      handle({ params }) {
        return shadowStatus(params.product);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/products/:product/shadow',
      operationId: 'setShadow',
      summary: 'Score live traffic with a version beside the active one (it decides nothing), or stop with version null',
      tag: 'lifecycle',
      access: 'admin',
      params: ProductParams,
      body: ShadowBody,
      responses: {
        200: { description: 'Shadow mode', schema: ShadowStatusSchema },
        404: { description: 'Unknown product or version' },
        409: { description: 'The version is the active one' },
        422: { description: 'The model could not be loaded' },
      },
      async handle({ params, body, apiKey }) {
        productOf(params.product);
        const record = body.version === null ? null : versionOf(params.product, body.version);
        await models.setShadow(params.product, record, apiKey?.id ?? null, body.reason);
        return shadowStatus(params.product);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/models/:product/:version/shadow-results',
      operationId: 'listShadowResults',
      summary: 'Inspections a version scored in shadow mode, newest first: by default only where it disagreed with the decision the camera got',
      tag: 'lifecycle',
      access: { roles: ['qa'] },
      params: ModelParams,
      query: ShadowResultsQuery,
      responses: { 200: { description: 'A page of shadow results', schema: ShadowResultsSchema }, 404: { description: 'Unknown version' } },
      handle({ params, query }) {
        const record = versionOf(params.product, params.version);
        const rows = shadowResults.list(record.id, query.disagreements, query.limit + 1, query.before ?? null);
        const page = rows.slice(0, query.limit);
        return {
          product: params.product,
          version: params.version,
          summary: shadowResults.summary(record.id),
          items: page.flatMap((row) => {
            const inspection = inspections.get(row.inspectionId);
            if (!inspection) return [];
            const { decision, score, rawScore, threshold } = row;
            return [{ inspection: inspectionJson(inspection), shadow: { decision, score, rawScore, threshold, createdAt: new Date(row.createdMs).toISOString() } }];
          }),
          nextBefore: rows.length > query.limit ? (page.at(-1)?.inspectionId ?? null) : null,
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/models/:product/:version/thresholds',
      operationId: 'thresholdRates',
      summary: "Expected false-call and escape rates at candidate thresholds, from the reviewed inspections the version scored (live or in shadow)",
      tag: 'lifecycle',
      access: { roles: ['qa'] },
      params: ModelParams,
      query: ThresholdRatesQuery,
      responses: { 200: { description: 'Rates per threshold', schema: ThresholdRatesSchema }, 404: { description: 'Unknown version' } },
      handle({ params, query }) {
        const record = versionOf(params.product, params.version);
        const scores = reviewedScores(db, record.id);
        const { center, threshold: calibrated } = record.manifest.calibration.image;
        const current = effectiveImageThreshold(record, thresholds).threshold;
        const rates = thresholdRates(scores, query.thresholds ?? candidateThresholds(scores, [current, calibrated]));
        return {
          product: params.product,
          version: params.version,
          center,
          calibratedThreshold: calibrated,
          currentThreshold: current,
          reviewed: { good: scores.filter((s) => s.label === 'good').length, defect: scores.filter((s) => s.label === 'defect').length },
          rates: rates.map((rate) => ({ ...rate, current: rate.threshold === current, calibrated: rate.threshold === calibrated })),
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/models/:product/:version/threshold',
      operationId: 'setThreshold',
      summary: "Re-calibrate a version's image threshold without retraining (null: back to its manifest's); new inspections use it at once; audited",
      tag: 'lifecycle',
      access: 'admin',
      params: ModelParams,
      body: ThresholdBody,
      responses: {
        200: { description: 'The threshold in force', schema: ThresholdSchema },
        404: { description: 'Unknown version' },
        422: { description: 'The threshold is not above the median score of good parts' },
      },
      handle({ params, body, apiKey }) {
        const record = versionOf(params.product, params.version);
        const { center, threshold: calibrated } = record.manifest.calibration.image;
        if (body.threshold !== null && !(body.threshold > center)) {
          throw new HttpProblem(422, 'threshold-too-low', 'The threshold is too low', `A threshold must lie above the median raw score of good parts (${center}); ${body.threshold} would call about half the good parts NG or more.`);
        }
        const previous = thresholdJson(record).threshold;
        db.transaction(() => {
          thresholds.set(record.id, body.threshold, body.reason, apiKey?.id ?? null);
          audit.record({
            actorKeyId: apiKey?.id ?? null,
            action: 'model.threshold',
            target: `${record.productId}/${record.version}`,
            detail: { product: record.productId, version: record.version, threshold: body.threshold ?? calibrated, previousThreshold: previous, calibratedThreshold: calibrated, reason: body.reason },
          });
        })();
        models.refreshThreshold(record);
        return thresholdJson(record);
      },
    }),
  ];
}
