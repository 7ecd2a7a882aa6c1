/** The inspection log for QA: list with filters, one inspection, its files, reviews. */
import { decodeCursor, encodeCursor } from '../../store/cursor.js';
import type { ServerContext } from '../context.js';
import { inspectionJson } from '../inspection-json.js';
import { problems } from '../problem.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { InspectionFileParams, InspectionListQuery, InspectionListSchema, InspectionParams, InspectionSchema, RenderQuery, ReviewBody, ReviewSchema } from '../schemas.js';

const MEDIA_TYPES: Record<string, string> = { png: 'image/png', jpeg: 'image/jpeg', tiff: 'image/tiff', webp: 'image/webp', bmp: 'image/bmp' };

export function inspectionRoutes(context: ServerContext): RouteSpec[] {
  const { inspections, reviews, renders, blobs, config } = context;
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
      summary: 'The original image, or the heatmap, overlay or mask PNG at its size (rendered on first request)',
      tag: 'qa',
      access: { roles: ['qa'] },
      params: InspectionFileParams,
      query: RenderQuery,
      responses: {
        200: { description: 'The file', contentType: 'image/*' },
        404: { description: 'No such inspection' },
        410: { description: 'The file was removed by the retention policy' },
      },
      async handle({ params, query, res }) {
        const record = find(params.id);
        let file: string;
        if (params.file === 'image') {
          if (!record.imageBlob) throw problems.filesRemoved('image');
          file = blobs.pathOf(record.imageBlob);
          res.type(MEDIA_TYPES[record.image.format] ?? 'application/octet-stream');
        } else {
          file = await renders.file(record, params.file, { colormap: query.colormap ?? config.colormap, opacity: query.opacity ?? config.overlayOpacity });
          res.type('image/png');
        }
        await new Promise<void>((resolve, reject) => {
          res.sendFile(file, { dotfiles: 'allow' }, (error) => {
            if (!error) resolve();
            else if ((error as NodeJS.ErrnoException).code === 'ENOENT') reject(problems.filesRemoved(params.file === 'image' ? 'image' : 'anomaly map'));
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
      summary: "Record a QA engineer's verdict on an inspection",
      tag: 'qa',
      access: { roles: ['qa'] },
      params: InspectionParams,
      body: ReviewBody,
      responses: { 201: { description: 'The review, recorded', schema: ReviewSchema }, 404: { description: 'No such inspection' } },
      handle({ params, body, apiKey }) {
        const review = reviews.add(params.id, body.verdict, body.note ?? null, apiKey?.id ?? null);
        if (!review) throw problems.notFound(`There is no inspection ${params.id}.`);
        return { verdict: review.verdict, note: review.note, reviewer: review.reviewer, createdAt: new Date(review.createdMs).toISOString() };
      },
    }),
  ];
}
