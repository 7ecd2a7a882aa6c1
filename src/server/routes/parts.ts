/**
 * Multi-view parts: admins declare a product's views (each scored by its own product's model);
 * the line and QA read a part's pass and its verdict, or wait for it to close; QA reviews a part
 * as a whole (each view's inspection gets the review that follows from it).
 */
import { reviewPart } from '../../store/part-reviews.js';
import type { PartRecord } from '../../store/parts.js';
import type { ServerContext } from '../context.js';
import { partJson } from '../part-json.js';
import { HttpProblem, problems } from '../problem.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { ProductParams } from '../schemas.js';
import { PartParams, PartQuery, PartReviewBody, PartSchema, ProductViewsBody, ProductViewsSchema } from '../traceability-schemas.js';

export function partRoutes(context: ServerContext): RouteSpec[] {
  const { db, registry, productViews, parts, partTracker, inspections, reviews, audit, config, lineHealth } = context;
  const passOf = (productId: string, partId: string, pass: number | undefined): PartRecord => {
    const record = pass === undefined ? parts.latest(productId, partId) : parts.pass(productId, partId, pass);
    if (!record) throw problems.notFound(`Product "${productId}" has no part "${partId}"${pass === undefined ? '' : ` with a pass ${pass}`}.`);
    return record;
  };
  const json = (record: PartRecord) => partJson(record, inspections.ofPartRecord(record.id), parts.latest(record.productId, record.partId)?.pass ?? record.pass);
  const viewsJson = (productId: string) => {
    const declared = productViews.get(productId);
    return {
      product: productId,
      views: declared?.views ?? [],
      timeoutMs: declared?.timeoutMs ?? config.partTimeoutMs,
      updatedAt: declared ? new Date(declared.updatedMs).toISOString() : null,
    };
  };

  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/products/:product/views',
      operationId: 'getProductViews',
      summary: "The product's views (none for a single-view product) and how long a part's views may take to arrive",
      tag: 'parts',
      access: { roles: ['qa'] },
      params: ProductParams,
      responses: { 200: { description: 'The views', schema: ProductViewsSchema } },
      handle({ params }) {
        return viewsJson(params.product);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/products/:product/views',
      operationId: 'setProductViews',
      summary: "Declare the product's views, each scored by the active model of its own product; an empty list makes it single-view again",
      tag: 'parts',
      access: 'admin',
      params: ProductParams,
      body: ProductViewsBody,
      responses: {
        200: { description: 'The views, in force for parts whose first view arrives from now on', schema: ProductViewsSchema },
        422: { description: 'A view names a product that does not exist' },
      },
      handle({ params, body, apiKey }) {
        const views = body.views.map((view) => ({ name: view.name, product: view.product ?? params.product }));
        const known = new Set(registry.products().map((product) => product.id));
        const unknown = [...new Set(views.map((view) => view.product).filter((product) => !known.has(product)))];
        if (unknown.length) {
          throw new HttpProblem(
            422,
            'unknown-view-product',
            'A view names an unknown product',
            `No product ${unknown.map((id) => `"${id}"`).join(', ')} exists to score a view; register its model first. Known products: ${[...known].join(', ') || 'none yet'}.`,
          );
        }
        const timeoutMs = body.timeoutMs ?? config.partTimeoutMs;
        db.transaction(() => {
          productViews.set(params.product, views, timeoutMs, apiKey?.id ?? null);
          audit.record({ actorKeyId: apiKey?.id ?? null, action: 'product.views', target: params.product, detail: { views, timeoutMs, reason: body.reason } });
        })();
        return viewsJson(params.product);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/parts/:product/:part',
      operationId: 'getPart',
      summary: `A pass of a multi-view part with its verdict and views; with wait, answered once the pass closes (or after up to that many seconds)`,
      tag: 'parts',
      access: { roles: ['camera', 'qa'] },
      params: PartParams,
      query: PartQuery,
      responses: {
        200: { description: 'The pass (status open when the wait ran out first)', schema: PartSchema },
        404: { description: 'No such part or pass' },
        503: { description: 'Too many requests are waiting for parts (with Retry-After)' },
      },
      async handle({ params, query }) {
        const record = passOf(params.product, params.part, query.pass);
        return json(await partTracker.closed(record, query.wait * 1000));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/parts/:product/:part/review',
      operationId: 'reviewPart',
      summary: "Record QA's verdict on a part as a whole, as the matching review of each of its views' inspections",
      tag: 'parts',
      access: { roles: ['qa'] },
      params: PartParams,
      body: PartReviewBody,
      responses: { 201: { description: 'The part, with its views reviewed', schema: PartSchema }, 404: { description: 'No such part or pass' } },
      async handle({ params, body, apiKey }) {
        const record = passOf(params.product, params.part, body.pass);
        const recorded = reviewPart(db, reviews, inspections.ofPartRecord(record.id), body.verdict, body.note ?? null, apiKey?.id ?? null);
        // a view the review queue sampled, reviewed good with its part, goes where its own review would take it
        for (const review of recorded) await lineHealth.reviewed(review.inspectionId, review.verdict, apiKey?.id ?? null);
        return json(record);
      },
    }),
  ];
}
