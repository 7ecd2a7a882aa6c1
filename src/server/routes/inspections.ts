/** The inspection log for QA: list with filters, one inspection, its files, reviews. */
import { decodeCursor, encodeCursor } from '../../store/cursor.js';
import type { ServerContext } from '../context.js';
import { inspectionJson } from '../inspection-json.js';
import { problems } from '../problem.js';
import { MAX_RENDER_SIDE } from '../render-cache.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { InspectionFileParams, InspectionListQuery, InspectionListSchema, InspectionParams, InspectionSchema, RenderQuery, ReviewBody, ReviewSchema } from '../schemas.js';

const MEDIA_TYPES: Record<string, string> = { png: 'image/png', jpeg: 'image/jpeg', tiff: 'image/tiff', webp: 'image/webp', bmp: 'image/bmp' };

export function inspectionRoutes(context: ServerContext): RouteSpec[] {
  const { inspections, reviews, renders, blobs, config, lineHealth } = context;
  const find = (id: string) => {
    const record = inspections.get(id);
    if (!record) throw problems.notFound(`There is no inspection ${id}.`);
    return record;
  };

  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/inspections',
      operationId: 'listInspections',
      summary: 'Inspections, newest first, filtered, in pages',
      tag: 'qa',
      access: { roles: ['qa'] },
      query: InspectionListQuery,
      responses: { 200: { description: 'A page of inspections', schema: InspectionListSchema } },
      handle({ query }) {
        const { limit, cursor, from, to, ...filter } = query;
        const page = inspections.list(
          { ...filter, fromMs: from ? Date.parse(from) : undefined, toMs: to ? Date.parse(to) : undefined },
          limit,
          cursor ? decodeCursor(cursor) : null,
        );
        return { items: page.items.map((record) => inspectionJson(record)), nextCursor: page.next ? encodeCursor(page.next) : null };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/inspections/:id',
      operationId: 'getInspection',
      summary: 'One inspection with its reviews',
      tag: 'qa',
      access: { roles: ['qa'] },
      params: InspectionParams,
      responses: { 200: { description: 'The inspection', schema: InspectionSchema }, 404: { description: 'No such inspection' } },
      handle({ params }) {
        return inspectionJson(find(params.id), reviews.list(params.id));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/inspections/:id/:file',
      operationId: 'getInspectionFile',
      summary: `The original image at full size, or the heatmap, overlay or mask PNG at its size up to ${MAX_RENDER_SIDE} pixels a side (rendered on first request; 503 while too many renders are queued)`,
      tag: 'qa',
      access: { roles: ['qa'] },
      params: InspectionFileParams,
      query: RenderQuery,
      responses: {
        200: { description: 'The file', contentType: 'image/*' },
        400: { description: 'An overlay opacity that is not offered' },
        404: { description: 'No such inspection' },
        410: { description: 'The file was removed by the retention policy' },
        503: { description: 'Too many renders are queued; retry after Retry-After seconds' },
      },
      async handle({ params, query, res }) {
        const record = find(params.id);
        if (params.file !== 'image') {
          const png = await renders.png(record, params.file, { colormap: query.colormap ?? config.colormap, opacity: query.opacity ?? config.overlayOpacity });
          res.type('image/png').send(png);
          return undefined;
        }
        if (!record.imageBlob) throw problems.filesRemoved('image');
        res.type(MEDIA_TYPES[record.image.format] ?? 'application/octet-stream');
        await new Promise<void>((resolve, reject) => {
          res.sendFile(blobs.pathOf(record.imageBlob!), { dotfiles: 'allow' }, (error) => {
            if (!error) resolve();
            else if ((error as NodeJS.ErrnoException).code === 'ENOENT') reject(problems.filesRemoved('image'));
            else reject(error);
          });
        });
        return undefined;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/inspections/:id/review',
      operationId: 'reviewInspection',
      summary: "Record a QA engineer's verdict on an inspection (one the review queue sampled, reviewed as good, joins the good set when the product's policy feeds it)",
      tag: 'qa',
      access: { roles: ['qa'] },
      params: InspectionParams,
      body: ReviewBody,
      responses: { 201: { description: 'The review, recorded', schema: ReviewSchema }, 404: { description: 'No such inspection' } },
      async handle({ params, body, apiKey }) {
        const review = reviews.add(params.id, body.verdict, body.note ?? null, apiKey?.id ?? null);
        if (!review) throw problems.notFound(`There is no inspection ${params.id}.`);
        await lineHealth.reviewed(params.id, review.verdict, apiKey?.id ?? null);
        return { verdict: review.verdict, note: review.note, reviewer: review.reviewer, createdAt: new Date(review.createdMs).toISOString() };
      },
    }),
  ];
}
