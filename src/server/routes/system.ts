/** Liveness, readiness, Prometheus metrics and the OpenAPI document: public, for infrastructure. */
import type { ServerContext } from '../context.js';
import { openApiDocument } from '../openapi.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { HealthSchema, ReadinessSchema } from '../schemas.js';

/** `allRoutes` is read when the document is first asked for, so it can include this module's routes. */
export function systemRoutes(context: ServerContext, allRoutes: () => readonly RouteSpec[]): RouteSpec[] {
  const { models, metrics, lifecycle, version } = context;
  let document: unknown = null;
  return [
    defineRoute({
      method: 'get',
      path: '/healthz',
      operationId: 'health',
      summary: 'Liveness: the process answers',
      tag: 'system',
      access: 'public',
      responses: { 200: { description: 'Alive', schema: HealthSchema } },
      handle: () => ({ status: 'ok' }),
    }),
    defineRoute({
      method: 'get',
      path: '/readyz',
      operationId: 'ready',
      summary: 'Readiness: every active model is loaded, and the server is not shutting down',
      tag: 'system',
      access: 'public',
      responses: { 200: { description: 'Ready', schema: ReadinessSchema }, 503: { description: 'Not ready', schema: ReadinessSchema } },
      handle({ res }) {
        const products = models.status();
        const ready = !lifecycle.draining && products.every((p) => p.error === null);
        res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready', products });
        return undefined;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/metrics',
      operationId: 'metrics',
      summary: 'Prometheus metrics',
      tag: 'system',
      access: 'public',
      responses: { 200: { description: 'Metrics in the Prometheus text format', contentType: 'text/plain' } },
      async handle({ res }) {
        res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
        return undefined;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/openapi.json',
      operationId: 'openapi',
      summary: 'This document',
      tag: 'system',
      access: 'public',
      responses: { 200: { description: 'OpenAPI 3.1', contentType: 'application/json' } },
      handle() {
        document ??= openApiDocument(allRoutes(), version);
        return document;
      },
    }),
  ];
}
