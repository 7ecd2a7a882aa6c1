/**
 * Liveness, readiness, Prometheus metrics and the OpenAPI document, for infrastructure. Readiness
 * details (products, versions, load errors) and metrics tell whoever asks what the line makes and
 * how much of it fails, so the public listener answers readiness as a bare yes or no and gives
 * details and metrics only to admin keys; the internal listener (internalPort) gives them to
 * anyone who can reach it, as probes and Prometheus inside the plant's network expect.
 */
import { authorize } from '../auth.js';
import type { ServerContext } from '../context.js';
import { openApiDocument } from '../openapi.js';
import { defineRoute, type ResponseSpec, type RouteSpec } from '../route.js';
import { HealthSchema, ReadinessSchema } from '../schemas.js';

export type ListenerKind = 'public' | 'internal';

/** /healthz, /readyz and /metrics as `listener` serves them. */
export function probeRoutes(context: ServerContext, listener: ListenerKind): RouteSpec[] {
  const { models, metrics, lifecycle, keys } = context;
  const internal = listener === 'internal';
  const keyRefusals: Record<number, ResponseSpec> = internal
    ? {}
    : { 401: { description: 'A key was sent, and it is unknown' }, 403: { description: 'A key was sent, and it is not an admin key' } };
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
      summary: 'Readiness: every active model is loaded, and the server is not shutting down (per product with an admin key)',
      tag: 'system',
      access: 'public',
      responses: {
        200: { description: 'Ready', schema: ReadinessSchema },
        503: { description: 'Not ready', schema: ReadinessSchema },
        ...keyRefusals,
      },
      handle({ req, res }) {
        const products = models.status();
        const ready = !lifecycle.draining && products.every((p) => p.error === null);
        // A probe sends no key and learns yes or no; a key that is sent must be an admin's.
        const details = internal || req.get('authorization') !== undefined;
        if (!internal && details) authorize(keys, 'admin', req);
        const status = ready ? 'ready' : 'not-ready';
        res.status(ready ? 200 : 503).json(details ? { status, products } : { status });
        return undefined;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/metrics',
      operationId: 'metrics',
      summary: 'Prometheus metrics',
      tag: 'system',
      access: internal ? 'public' : 'admin',
      responses: { 200: { description: 'Metrics in the Prometheus text format', contentType: 'text/plain' } },
      async handle({ res }) {
        res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
        return undefined;
      },
    }),
  ];
}

/** The public listener's probes and the OpenAPI document. `allRoutes` is read when the document is first asked for, so it can include these routes. */
export function systemRoutes(context: ServerContext, allRoutes: () => readonly RouteSpec[]): RouteSpec[] {
  let document: unknown = null;
  return [
    ...probeRoutes(context, 'public'),
    defineRoute({
      method: 'get',
      path: '/api/v1/openapi.json',
      operationId: 'openapi',
      summary: 'This document',
      tag: 'system',
      access: 'public',
      responses: { 200: { description: 'OpenAPI 3.1', contentType: 'application/json' } },
      handle() {
        document ??= openApiDocument(allRoutes(), context.version);
        return document;
      },
    }),
  ];
}
