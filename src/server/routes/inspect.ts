/** POST /api/v1/inspect: the camera's endpoint, with the line's traceability fields. */
import type { ServerContext } from '../context.js';
import { inspectionJson } from '../inspection-json.js';
import { problems } from '../problem.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { InspectionSchema, InspectQuery, TRACE_FIELDS } from '../schemas.js';
import { submitInspection } from '../submit-inspection.js';

export function inspectRoutes(context: ServerContext): RouteSpec[] {
  const { readUpload, config } = context;
  const submit = submitInspection(context);
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/inspect',
      operationId: 'inspect',
      summary: 'Inspect one image: OK or NG, a score, defect regions, links to heatmaps',
      tag: 'inspection',
      access: { roles: ['camera'] },
      query: InspectQuery,
      queryProblem: (error) =>
        error.issues.every((issue) => String(issue.path[0]) in TRACE_FIELDS) ? problems.invalidTraceability(error) : problems.validation(error, 'query'),
      upload: {
        description: 'The image (PNG, JPEG, TIFF, WebP or BMP): a multipart form with the field "image", or the bytes as the body.',
        contentTypes: ['multipart/form-data', 'image/png', 'image/jpeg', 'image/tiff', 'image/webp', 'image/bmp', 'application/octet-stream'],
      },
      // A camera posts a few MB on a LAN: a body much slower than that is a failing link, not a large image.
      bodyDeadline: { kind: 'total', ms: config.inspectBodyTimeoutMs, problem: problems.imageTooSlow },
      responses: {
        200: { description: 'The inspection, logged', schema: InspectionSchema },
        404: { description: 'Unknown product' },
        408: { description: 'The image did not arrive within inspectBodyTimeoutMs (the connection is closed)' },
        409: { description: 'The product has no active model' },
        413: { description: 'The upload or the image is too large (decompression bomb)' },
        415: { description: 'Unsupported content type or image format' },
        422: { description: "The image is truncated or corrupt, or its view does not fit the product's views" },
        503: { description: 'Overloaded (with Retry-After), shutting down, or the model is unavailable' },
      },
      async handle({ req, res, query, apiKey }) {
        const record = await submit({
          product: query.product,
          line: query.line ?? null,
          camera: query.camera ?? null,
          trace: { partId: query.part ?? null, lot: query.lot ?? null, station: query.station ?? null, view: query.view ?? null, attributes: query.attr ?? {} },
          upload: () => readUpload(req, res),
          client: {
            apiKeyId: apiKey?.id ?? null,
            address: req.socket.remoteAddress ?? null,
            userAgent: req.get('user-agent') ?? null,
            requestId: String(req.id),
          },
        });
        return inspectionJson(record);
      },
    }),
  ];
}
