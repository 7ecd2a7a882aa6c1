/** Products and model versions: listing for QA, activation and rollback for admins (audited). */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ModelVersionRecord } from '../../store/model-registry.js';
import type { ServerContext } from '../context.js';
import { ActivationBody } from '../lifecycle-schemas.js';
import { readPackageAt } from '../model-discovery.js';
import { HttpProblem, problems } from '../problem.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { ActivationSchema, ModelListSchema, ModelParams, ModelsQuery, ProductListSchema, ProductParams, type ModelSummaryJson } from '../schemas.js';
import { withoutPaths } from '../without-paths.js';

export function modelRoutes(context: ServerContext): RouteSpec[] {
  const { registry, models, config } = context;
  const product = (id: string) => {
    const record = registry.product(id);
    if (!record) throw problems.unknownProduct(id, registry.products().map((p) => p.id));
    return record;
  };
  const summary = (version: ModelVersionRecord, activeId: number | null): ModelSummaryJson => {
    const { manifest } = version;
    return {
      product: version.productId,
      version: version.version,
      method: version.method,
      backbone: manifest.backbone.name,
      createdAt: new Date(version.createdMs).toISOString(),
      registeredAt: new Date(version.registeredMs).toISOString(),
      active: version.id === activeId,
      input: manifest.input,
      calibration: {
        imageThreshold: manifest.calibration.image.threshold,
        pixelThreshold: manifest.calibration.pixel.threshold,
        rule: manifest.calibration.rule,
        expectedFalseCallRate: manifest.calibration.expectedFalseCallRate,
      },
      metrics: manifest.metrics,
    };
  };
  /** A package copied into the models directory after the start is registered when activated. */
  const registerFromDisk = async (productId: string, version: string) => {
    const dir = path.join(config.modelsDir, productId, version);
    if (!(await stat(dir).then(() => true, () => false))) {
      product(productId);
      throw problems.notFound(`Product "${productId}" has no model version "${version}" (registered or as ${productId}/${version}/ in the models folder).`);
    }
    const pkg = await readPackageAt(config.modelsDir, productId, version).catch((error: unknown) => {
      throw new HttpProblem(422, 'invalid-model-package', 'The model package is invalid', withoutPaths(error instanceof Error ? error.message : String(error), config.modelsDir));
    });
    return registry.registerPackage(pkg);
  };
  const activation = (record: ModelVersionRecord, previous: ModelVersionRecord | null) => ({
    product: record.productId,
    activeVersion: record.version,
    previousVersion: previous?.version ?? null,
  });

  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/products',
      operationId: 'listProducts',
      summary: 'Products with their active model version',
      tag: 'models',
      access: { roles: ['qa'] },
      responses: { 200: { description: 'Products', schema: ProductListSchema } },
      handle() {
        const status = new Map(models.status().map((s) => [s.id, s]));
        return {
          items: registry.products().map((p) => ({
            id: p.id,
            activeVersion: p.activeModelId === null ? null : (registry.version(p.activeModelId)?.version ?? null),
            versions: registry.versions(p.id).length,
            loaded: status.get(p.id)?.loaded ?? false,
          })),
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/models',
      operationId: 'listModels',
      summary: 'Model versions, newest first',
      tag: 'models',
      access: { roles: ['qa'] },
      query: ModelsQuery,
      responses: { 200: { description: 'Model versions', schema: ModelListSchema } },
      handle({ query }) {
        const active = new Map(registry.products().map((p) => [p.id, p.activeModelId]));
        if (query.product) product(query.product);
        return { items: registry.versions(query.product).map((v) => summary(v, active.get(v.productId) ?? null)) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/models/:product/:version/activate',
      operationId: 'activateModel',
      summary: 'Make a version the active one (hot swap: loaded and warmed first, no request fails); a package new on disk is registered first',
      tag: 'models',
      access: 'admin',
      params: ModelParams,
      body: ActivationBody,
      responses: {
        200: { description: 'Activated', schema: ActivationSchema },
        404: { description: 'Unknown product or version' },
        422: { description: 'The package is invalid or its model could not be loaded' },
      },
      async handle({ params, body, apiKey }) {
        const record = registry.versionByName(params.product, params.version) ?? (await registerFromDisk(params.product, params.version));
        const previous = await models.activate(record, 'activate', apiKey?.id ?? null, body.reason ?? null);
        return activation(record, previous);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/models/:product/rollback',
      operationId: 'rollbackModel',
      summary: 'Return to the version that was active before the current one',
      tag: 'models',
      access: 'admin',
      params: ProductParams,
      body: ActivationBody,
      responses: {
        200: { description: 'Rolled back', schema: ActivationSchema },
        404: { description: 'Unknown product' },
        409: { description: 'No earlier version to return to' },
      },
      async handle({ params, body, apiKey }) {
        product(params.product);
        const target = registry.rollbackTarget(params.product);
        if (!target) throw new HttpProblem(409, 'nothing-to-roll-back', 'Nothing to roll back to', `Product "${params.product}" has no earlier active version.`);
        const previous = await models.activate(target, 'rollback', apiKey?.id ?? null, body.reason ?? null);
        return activation(target, previous);
      },
    }),
  ];
}
