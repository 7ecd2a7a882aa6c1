/** The Express application: request ids and logs, metrics, response headers, the routes, and problem+json errors. */
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import type { ServerContext } from './context.js';
import { createHttpLogger } from './logger.js';
import type { ServerMetrics } from './metrics.js';
import { problems, sendProblem, toProblem } from './problem.js';
import { mountRoute, type RouteSpec } from './route.js';
import { bodyDeadline } from './slow-clients.js';
import { uiRouter } from '../web/ui-server.js';

/** `ui: false` for the internal listener, which serves probes and metrics only. */
export function createApp(context: ServerContext, routes: readonly RouteSpec[], { ui }: { ui: boolean } = { ui: true }): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(createHttpLogger(context.logger));
  app.use(requestMetrics(context.metrics));
  app.use(privateByDefault);
  app.use(bodyDeadline({ kind: 'total', ms: context.config.requestTimeoutMs, problem: problems.bodyTooSlow }));
  const router = express.Router();
  for (const route of routes) mountRoute(router, route, context.keys);
  app.use(router);
  if (ui) app.use(uiRouter());
  app.use((req, _res, next) => next(problems.notFound(`There is no endpoint ${req.method} ${req.path}; the API is described at /api/v1/openapi.json.`)));
  app.use(errorHandler(context.config.maxUploadBytes));
  return app;
}

function requestMetrics(metrics: ServerMetrics): RequestHandler {
  return (req, res, next) => {
    const stop = metrics.requestDuration.startTimer();
    res.once('finish', () => {
      // The route pattern, not the URL: ids in URLs would make a label per inspection.
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      stop({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}

/**
 * Every answer is kept out of caches (inspections, keys and images are behind keys, and a shared
 * or back-button cache would show them after a sign-out) and is read as the type it declares.
 * Routes that may be cached say so themselves: the UI's hashed assets.
 */
const privateByDefault: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  next();
};

function errorHandler(uploadLimit: number): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const problem = toProblem(error, uploadLimit);
    // pino-http logs res.err with its stack: the one place an unexpected error is explained.
    if (problem.code === 'internal') res.err = error instanceof Error ? error : new Error(String(error));
    res.locals.problem = { code: problem.code, detail: problem.detail };
    if (res.headersSent) {
      // Too late for a problem document (a file was half sent): end the response.
      res.end();
      return;
    }
    sendProblem(res, problem, req.path, String(req.id));
  };
}
