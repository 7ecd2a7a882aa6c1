/**
 * An endpoint as data: method, path, who may call it, the zod schemas of its path parameters,
 * query and JSON body, its responses, and the handler. Mounting validates every request with
 * those schemas before the handler runs; the OpenAPI document is generated from the same objects,
 * so the document cannot drift from what the server accepts.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { z } from 'zod';
import type { ApiKeyRecord, ApiKeyStore } from '../store/api-keys.js';
import { authorize, type Access } from './auth.js';
import { problems, type HttpProblem } from './problem.js';
import { bodyDeadline, type BodyDeadline } from './slow-clients.js';

type Schema = z.ZodType | undefined;
type Out<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteContext<P, Q, B> {
  req: Request;
  res: Response;
  params: P;
  query: Q;
  body: B;
  apiKey: ApiKeyRecord | null;
}

export interface ResponseSpec {
  description: string;
  /** JSON body schema; omit for non-JSON bodies and give `contentType`. */
  schema?: z.ZodType;
  contentType?: string;
}

export interface RouteSpec<P extends Schema = Schema, Q extends Schema = Schema, B extends Schema = Schema> {
  method: 'get' | 'post' | 'delete';
  /** Express path; `:name` segments must match `params`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  access: Access;
  params?: P;
  query?: Q;
  /** How an invalid query is reported, where not as problems.validation (a title that says what was wrong). */
  queryProblem?: (error: z.ZodError) => HttpProblem;
  /** A JSON request body. */
  body?: B;
  /** A request body that is not JSON (the image upload): documented here, read by the handler. */
  upload?: { description: string; contentTypes: string[] };
  /** How long the body may take to arrive, where not requestTimeoutMs: a short total for a camera's image, an idle timeout for training uploads. */
  bodyDeadline?: BodyDeadline;
  /** Success and specific error responses; generic errors (400, 401, 403, 500) are added. */
  responses: Record<number, ResponseSpec>;
  /** The JSON to send with the success status (the lowest in `responses`), or undefined after replying itself. */
  handle(context: RouteContext<Out<P>, Out<Q>, Out<B>>): unknown;
}

/** Identity, for type inference of the schemas' output types in `handle`. */
export function defineRoute<P extends Schema = undefined, Q extends Schema = undefined, B extends Schema = undefined>(spec: RouteSpec<P, Q, B>): RouteSpec {
  return spec as RouteSpec;
}

const jsonBody = express.json({ limit: '64kb' });

export function mountRoute(router: Router, route: RouteSpec, keys: ApiKeyStore): void {
  const successStatus = Math.min(...Object.keys(route.responses).map(Number));
  const handlers: express.RequestHandler[] = [];
  // Authorization comes first: nobody learns anything about a request's validity without a key.
  handlers.push((req, res, next) => {
    res.locals.apiKey = authorize(keys, route.access, req);
    next();
  });
  // After authorization: a client without a key keeps the server-wide deadline.
  if (route.bodyDeadline) handlers.push(bodyDeadline(route.bodyDeadline));
  if (route.body) handlers.push(jsonBody);
  handlers.push(async (req, res) => {
    const context: RouteContext<unknown, unknown, unknown> = {
      req,
      res,
      params: parse(route.params, req.params, 'path parameters'),
      query: parse(route.query, req.query, 'query', route.queryProblem),
      body: parse(route.body, req.body ?? {}, 'body'),
      apiKey: res.locals.apiKey as ApiKeyRecord | null,
    };
    const result = await route.handle(context as RouteContext<never, never, never>);
    if (result !== undefined && !res.headersSent) res.status(successStatus).json(result);
  });
  router[route.method](route.path, ...handlers);
}

function parse(schema: Schema, value: unknown, where: string, problem = (error: z.ZodError) => problems.validation(error, where)): unknown {
  if (!schema) return undefined;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw problem(parsed.error);
  return parsed.data;
}
