/**
 * Errors as application/problem+json (RFC 9457): a fixed `title` per kind of problem that a person
 * understands, a `detail` about this request, and the request id to find it in the logs. Every
 * error a handler throws becomes one of these; anything unexpected becomes a 500 whose detail
 * reveals nothing internal (the log has the stack).
 */
import type { Response } from 'express';
import { hasBody } from './request-body.js';
import { MulterError } from 'multer';
import { z } from 'zod';
import { isImageError, type ImageErrorCode } from '../image/errors.js';
import { JobRequestError } from '../jobs/job-request-error.js';
import { InvalidCursorError } from '../store/cursor.js';

export const ProblemSchema = z.object({
  type: z.string().describe('a URI naming the kind of problem'),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string().optional().describe('the request path'),
  requestId: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional().describe('invalid fields, for validation problems'),
});
export type Problem = z.infer<typeof ProblemSchema>;

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly extra: { headers?: Record<string, string>; errors?: Problem['errors'] } = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
}

const IMAGE_STATUS: Record<ImageErrorCode, number> = {
  empty: 400,
  truncated: 422,
  corrupt: 422,
  'unsupported-format': 415,
  // a decompression bomb: the payload is too large once decoded
  'too-many-pixels': 413,
};

/** A 400 for input that failed its zod schema, naming every invalid field. */
const invalid = (code: string, title: string, error: z.ZodError, where: string) =>
  new HttpProblem(400, code, title, `Invalid ${where}: ${error.issues.map(describeIssue).join('; ')}.`, {
    errors: error.issues.map((issue) => ({ path: [where, ...issue.path].join('.'), message: issue.message })),
  });

export const problems = {
  validation: (error: z.ZodError, where: string) => invalid('invalid-request', 'The request is invalid', error, where),
  invalidTraceability: (error: z.ZodError) => invalid('invalid-traceability', 'The traceability fields are invalid', error, 'query'),
  noViews: (product: string) =>
    new HttpProblem(
      422,
      'no-views',
      'The product declares no views',
      `Product "${product}" has no views, so an image cannot be one of them; send it without \`view\`, or have an admin declare the views with POST /api/v1/products/${product}/views.`,
    ),
  unknownView: (product: string, view: string, declared: readonly string[]) =>
    new HttpProblem(422, 'unknown-view', 'Unknown view', `Product "${product}" has no view "${view}"; its views are ${declared.join(', ')}.`),
  viewWithoutPart: () =>
    new HttpProblem(422, 'view-without-part', 'A view needs a part id', 'The image names a view but no part: send `part` (the serial number) so the views of one part can be put together.'),
  viewMissing: (product: string, declared: readonly string[]) =>
    new HttpProblem(422, 'view-missing', 'The view is missing', `Product "${product}" is inspected from several views (${declared.join(', ')}): send \`view\` with the part id.`),
  tooManyPartWaits: (limit: number) =>
    new HttpProblem(503, 'too-many-part-waits', 'Too many parts are being waited for', `${limit} requests are waiting for parts to complete; retry shortly or ask without \`wait\`.`, {
      headers: { 'Retry-After': '1' },
    }),
  notFound: (what: string) => new HttpProblem(404, 'not-found', 'Not found', what),
  unknownProduct: (product: string, known: string[]) =>
    new HttpProblem(404, 'unknown-product', 'Unknown product', `There is no product "${product}". Known products: ${known.length ? known.join(', ') : 'none yet'}.`),
  noActiveModel: (product: string) =>
    new HttpProblem(
      409,
      'no-active-model',
      'The product has no active model',
      `Product "${product}" has no active model version; an admin can activate one with POST /api/v1/models/${product}/<version>/activate.`,
    ),
  modelUnavailable: (product: string, reason: string) =>
    new HttpProblem(503, 'model-unavailable', "The product's model is not available", `The active model of "${product}" could not be loaded: ${reason}`),
  overloaded: (retryAfterSeconds: number) =>
    new HttpProblem(503, 'overloaded', 'The server is overloaded', `Too many inspections are in progress; retry in ${retryAfterSeconds} s.`, {
      headers: { 'Retry-After': String(retryAfterSeconds) },
    }),
  shuttingDown: () =>
    new HttpProblem(503, 'shutting-down', 'The server is shutting down', 'The server is stopping and takes no new inspections; retry against another instance or after the restart.', {
      headers: { 'Retry-After': '5' },
    }),
  noImage: () =>
    new HttpProblem(400, 'no-image', 'No image was sent', 'Send the image as multipart/form-data in the field "image", or as the request body with Content-Type image/* or application/octet-stream.'),
  tooLarge: (limit: number) =>
    new HttpProblem(413, 'too-large', 'The upload is too large', `The upload is larger than the limit of ${formatBytes(limit)}.`),
  unsupportedMediaType: (type: string) =>
    new HttpProblem(
      415,
      'unsupported-media-type',
      'Unsupported content type',
      `Content-Type "${type}" is not accepted here: send multipart/form-data with the field "image", or the image bytes as image/* or application/octet-stream.`,
    ),
  insufficientStorage: (free: number, floor: number) =>
    new HttpProblem(
      507,
      'insufficient-storage',
      'The server is short of disk space',
      `The data folder's disk has ${formatBytes(free)} free, less than the ${formatBytes(floor)} kept for inspections; training is refused until space is freed (inspections go on).`,
    ),
  imageTooSlow: (limitMs: number) =>
    new HttpProblem(
      408,
      'image-too-slow',
      'The image arrived too slowly',
      `The image did not arrive within ${formatSeconds(limitMs)}; it was not inspected. Check the camera's network link and send it again.`,
    ),
  uploadStalled: (idleMs: number) =>
    new HttpProblem(408, 'upload-stalled', 'The upload stalled', `Nothing of the upload arrived for ${formatSeconds(idleMs)}; it was dropped. Send it again.`),
  bodyTooSlow: (limitMs: number) =>
    new HttpProblem(408, 'body-too-slow', 'The request body arrived too slowly', `The request body did not arrive within ${formatSeconds(limitMs)}.`),
  tooManyUploads: (limit: number) =>
    new HttpProblem(503, 'too-many-uploads', 'Too many training uploads at once', `${limit} training uploads are being received; retry once one is done.`, {
      headers: { 'Retry-After': '30' },
    }),
  tooManyEventStreams: (limit: number) =>
    new HttpProblem(503, 'too-many-event-streams', 'Too many event streams are open', `${limit} event streams are open, the most the server keeps; retry once one has ended.`, {
      headers: { 'Retry-After': '30' },
    }),
  filesRemoved: (what: string) =>
    new HttpProblem(410, 'files-removed', 'The file was removed by the retention policy', `The ${what} of this inspection is no longer stored; the inspection record is kept.`),
  tooManyRenders: (retryAfterSeconds: number) =>
    new HttpProblem(
      503,
      'too-many-renders',
      'Too many pictures are being rendered',
      `Heatmaps, overlays and masks are rendered a few at a time and the queue is full; retry in ${retryAfterSeconds} s (a picture once rendered is served at once).`,
      { headers: { 'Retry-After': String(retryAfterSeconds) } },
    ),
  opacityNotOffered: (opacity: number, offered: readonly number[]) =>
    new HttpProblem(
      400,
      'opacity-not-offered',
      'The overlay opacity is not offered',
      `Overlays are rendered at opacity ${offered.join(', ')}, not ${opacity}; for any other blend, lay the heatmap over the image yourself.`,
    ),
};

/** Any thrown value as a problem. `uploadLimit` words the size problems of upload parsers. */
export function toProblem(error: unknown, uploadLimit: number): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (isImageError(error)) return new HttpProblem(IMAGE_STATUS[error.code], error.code, error.title, error.message);
  if (error instanceof InvalidCursorError) return new HttpProblem(400, 'invalid-cursor', 'The cursor is invalid', error.message);
  if (error instanceof JobRequestError) return new HttpProblem(error.status, error.code, error.title, error.message);
  if (error instanceof MulterError) return multerProblem(error, uploadLimit);
  const parser = error as { type?: unknown; status?: unknown; expose?: unknown; message?: unknown; limit?: unknown };
  if (typeof parser.type === 'string' && typeof parser.status === 'number') {
    // body-parser: entity.too.large, entity.parse.failed, request.aborted, encoding.unsupported, ...
    if (parser.type === 'entity.too.large') return problems.tooLarge(typeof parser.limit === 'number' ? parser.limit : uploadLimit);
    if (parser.type === 'entity.parse.failed') return new HttpProblem(400, 'malformed-json', 'The JSON body is malformed', String(parser.message));
    if (parser.status < 500 && parser.expose) return new HttpProblem(parser.status, parser.type, 'The request body could not be read', String(parser.message));
  }
  if (error instanceof Error && /Unexpected end of form|Malformed part header|Multipart: Boundary not found/i.test(error.message)) {
    return new HttpProblem(400, 'malformed-multipart', 'The multipart body is malformed', `The multipart/form-data body could not be parsed (${error.message}).`);
  }
  return new HttpProblem(500, 'internal', 'Internal server error', 'The server failed to handle this request; the log has details under this request id.');
}

function multerProblem(error: MulterError, uploadLimit: number): HttpProblem {
  switch (error.code) {
    case 'LIMIT_FILE_SIZE':
      return problems.tooLarge(uploadLimit);
    case 'LIMIT_UNEXPECTED_FILE':
      return new HttpProblem(400, 'unexpected-field', 'Unexpected file field', `The form has a file in field "${error.field ?? ''}"; send exactly one image, in the field "image".`);
    default:
      return new HttpProblem(400, 'malformed-multipart', 'The multipart body is not acceptable', `${error.message} (${error.code}).`);
  }
}

export function sendProblem(res: Response, problem: HttpProblem, instance: string, requestId: string | undefined): void {
  const body: Problem = {
    type: `urn:kensa:problem:${problem.code}`,
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    instance,
    requestId,
    errors: problem.extra.errors,
  };
  for (const [name, value] of Object.entries(problem.extra.headers ?? {})) res.setHeader(name, value);
  if (problem.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="kensa"');
  // Refused before its body was read (a bad key, a full queue, a declared size too large): the
  // connection is closed rather than the rest read only to be thrown away, which a client that
  // keeps sending megabytes would otherwise make the server do.
  if (hasBody(res.req) && !res.req.complete) res.setHeader('Connection', 'close');
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(body));
}

function describeIssue(issue: z.core.$ZodIssue): string {
  return issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) ? 1 : 0)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(bytes % 1024 ? 1 : 0)} KiB`;
  return `${bytes} bytes`;
}
