/**
 * The sampled review queue (every NG, scores near the threshold, a share of clear OK parts), in
 * priority order with the reason each is there, in pages (keyset cursors); and how many reviewed
 * good images wait in the good set for the next retrain.
 */
import { queueReasonText } from '../../health/review-sampler.js';
import { goodSetWaiting } from '../../store/good-set-waiting.js';
import { decodeQueueCursor, queueCursor } from '../../store/review-queue-cursor.js';
import type { ServerContext } from '../context.js';
import { GoodSetWaitingSchema, ReviewQueueQuery, ReviewQueueSchema } from '../health-schemas.js';
import { inspectionJson } from '../inspection-json.js';
import { problems } from '../problem.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { ProductParams } from '../schemas.js';

export function reviewQueueRoutes(context: ServerContext): RouteSpec[] {
  const { db, registry, inspections, lineHealth } = context;
  const knownProduct = (product: string) => {
    if (!registry.product(product)) throw problems.unknownProduct(product, registry.products().map((p) => p.id));
  };

  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/review-queue',
      operationId: 'reviewQueue',
      summary: "The product's sampled inspections waiting for review: every NG first, then scores near the threshold, then sampled clear OK parts, each with why it is there",
      tag: 'qa',
      access: { roles: ['qa'] },
      query: ReviewQueueQuery,
      responses: { 200: { description: 'The queue', schema: ReviewQueueSchema }, 404: { description: 'Unknown product' } },
      handle({ query }) {
        knownProduct(query.product);
        const policy = lineHealth.settings.get(query.product).review;
        const waiting = lineHealth.queue.waitingCounts().filter((row) => row.productId === query.product).reduce((sum, row) => sum + row.count, 0);
        const entries = lineHealth.queue.waiting(query.product, query.limit, query.cursor ? decodeQueueCursor(query.cursor) : null);
        const items = entries.flatMap((entry) => {
          const inspection = inspections.get(entry.inspectionId);
          return inspection ? [{ reason: entry.reason, why: queueReasonText(entry.reason, policy), queuedAt: new Date(entry.createdMs).toISOString(), inspection: inspectionJson(inspection) }] : [];
        });
        const last = entries.at(-1);
        return { product: query.product, waiting, items, nextCursor: entries.length === query.limit && last ? queueCursor(last) : null };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/products/:product/good-set/waiting',
      operationId: 'goodSetWaiting',
      summary: 'How many reviewed good images (false alarms, confirmed OK) joined the good set since the active model was trained: what a retrain would add',
      tag: 'qa',
      access: { roles: ['qa'] },
      params: ProductParams,
      responses: { 200: { description: 'The count', schema: GoodSetWaitingSchema }, 404: { description: 'Unknown product' } },
      handle({ params }) {
        knownProduct(params.product);
        const { waiting, sinceMs } = goodSetWaiting(db, params.product);
        return { product: params.product, waiting, since: sinceMs === null ? null : new Date(sinceMs).toISOString() };
      },
    }),
  ];
}
