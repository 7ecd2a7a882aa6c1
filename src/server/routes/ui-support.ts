/**
 * What the QA web UI needs beyond the inspection API: who a key is (the login check), the
 * products, lines and cameras to offer as filters, an inspection's neighbours in a filtered
 * queue (next/previous survives a reload), and small overlay thumbnails for the list.
 */
import { z } from 'zod';
import { ROLES } from '../../store/api-keys.js';
import { inspectionFacets } from '../../store/facets.js';
import { filterClause } from '../../store/inspections.js';
import type { ServerContext } from '../context.js';
import { problems } from '../problem.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { InspectionListQuery, InspectionParams } from '../schemas.js';

/** Longest side of a list thumbnail, in pixels: sharp at twice the list's CSS size. */
export const THUMBNAIL_SIZE = 160;
/** Filter choices change when a line or camera is added, not per request. */
const FACETS_TTL_MS = 60_000;
/** Where counting an inspection's position in its queue stops: the UI shows "10,000+", and the count never walks a whole log. */
export const POSITION_COUNT_CAP = 10_000;

const WhoAmISchema = z.object({
  name: z.string(),
  role: z.enum(ROLES),
  prefix: z.string().describe('the public part of the key'),
});

const FacetsQuery = z.object({
  days: z.coerce.number().int().min(1).max(366).default(30).describe('look at inspections of this many past days'),
});
const FacetsSchema = z.object({
  since: z.string().describe('the start of the range counted: `days` ago, widened to a whole hour'),
  products: z.array(z.string()).describe('every registered product, inspected or not'),
  combinations: z
    .array(z.object({ product: z.string(), line: z.string().nullable(), camera: z.string().nullable(), inspections: z.number().int() }))
    .describe('each product, line and camera seen since `since`, with its inspection count'),
});

const NeighborsQuery = InspectionListQuery.omit({ limit: true, cursor: true });
const NeighborsSchema = z.object({
  previous: z.string().nullable().describe('the next newer inspection that matches the filter'),
  next: z.string().nullable().describe('the next older inspection that matches the filter'),
  newer: z.number().int().describe(`matching inspections newer than this one, at most ${POSITION_COUNT_CAP}`),
  newerCapped: z.boolean().describe(`there are more than ${POSITION_COUNT_CAP} newer ones: counting stopped there`),
  older: z.number().int().describe(`matching inspections older than this one, at most ${POSITION_COUNT_CAP}`),
  olderCapped: z.boolean().describe(`there are more than ${POSITION_COUNT_CAP} older ones: counting stopped there`),
});

export type WhoAmI = z.infer<typeof WhoAmISchema>;
export type Facets = z.infer<typeof FacetsSchema>;
export type Neighbors = z.infer<typeof NeighborsSchema>;

export function uiSupportRoutes(context: ServerContext): RouteSpec[] {
  const { db, registry, inspections, renders, config } = context;
  let facets: { key: number; at: number; value: Facets } | null = null;

  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/whoami',
      operationId: 'whoami',
      summary: 'The API key of this request: its name, role and public prefix (any role may ask)',
      tag: 'auth',
      access: { roles: ['camera', 'qa'] },
      responses: { 200: { description: 'The key', schema: WhoAmISchema } },
      handle({ apiKey }) {
        const key = apiKey!;
        return { name: key.name, role: key.role, prefix: key.prefix };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/inspection-facets',
      operationId: 'inspectionFacets',
      summary: 'Products, lines and cameras to filter inspections by',
      tag: 'qa',
      access: { roles: ['qa'] },
      query: FacetsQuery,
      responses: { 200: { description: 'Filter choices', schema: FacetsSchema } },
      handle({ query }) {
        const now = Date.now();
        if (facets && facets.key === query.days && now - facets.at < FACETS_TTL_MS) return facets.value;
        const { sinceMs, combinations } = inspectionFacets(db, now - query.days * 86_400_000);
        const value = { since: new Date(sinceMs).toISOString(), products: registry.products().map((p) => p.id), combinations };
        facets = { key: query.days, at: now, value };
        return value;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/inspection-neighbors/:id',
      operationId: 'inspectionNeighbors',
      summary: 'The inspections before and after one in the list order (newest first) under the same filters as GET /api/v1/inspections',
      tag: 'qa',
      access: { roles: ['qa'] },
      params: InspectionParams,
      query: NeighborsQuery,
      responses: { 200: { description: 'Neighbours and position', schema: NeighborsSchema }, 404: { description: 'No such inspection' } },
      handle({ params, query }) {
        const record = inspections.get(params.id);
        if (!record) throw problems.notFound(`There is no inspection ${params.id}.`);
        const { from, to, ...filter } = query;
        const { where, params: bound } = filterClause({ ...filter, fromMs: from ? Date.parse(from) : undefined, toMs: to ? Date.parse(to) : undefined });
        const values = { ...bound, anchorMs: record.createdMs, anchorId: record.id };
        // Keyset comparisons on the list's sort key: the anchor need not match the filter itself
        // (a reviewed inspection leaves an "unreviewed" queue, and next still works from it).
        const side = (comparison: '<' | '>') => [...where, `(created_ms, id) ${comparison} (@anchorMs, @anchorId)`].join(' AND ');
        const neighbour = (comparison: '<' | '>', order: 'DESC' | 'ASC') =>
          (db.prepare(`SELECT id FROM inspections WHERE ${side(comparison)} ORDER BY created_ms ${order}, id ${order} LIMIT 1`).get(values) as { id: string } | undefined)?.id ??
          null;
        // one past the cap tells "more than the cap" from "exactly the cap"
        const count = (comparison: '<' | '>') => {
          const n = db.prepare(`SELECT COUNT(*) FROM (SELECT 1 FROM inspections WHERE ${side(comparison)} LIMIT ${POSITION_COUNT_CAP + 1})`).pluck().get(values) as number;
          return { n: Math.min(n, POSITION_COUNT_CAP), capped: n > POSITION_COUNT_CAP };
        };
        const newer = count('>');
        const older = count('<');
        return { previous: neighbour('>', 'ASC'), next: neighbour('<', 'DESC'), newer: newer.n, newerCapped: newer.capped, older: older.n, olderCapped: older.capped };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/inspection-thumbnails/:id',
      operationId: 'inspectionThumbnail',
      summary: `The overlay (heatmap over the image, server colormap and opacity) as a JPEG of at most ${THUMBNAIL_SIZE} pixels a side`,
      tag: 'qa',
      access: { roles: ['qa'] },
      params: InspectionParams,
      responses: {
        200: { description: 'The thumbnail', contentType: 'image/jpeg' },
        404: { description: 'No such inspection' },
        410: { description: 'The image or map was removed by the retention policy' },
      },
      async handle({ params, res }) {
        const record = inspections.get(params.id);
        if (!record) throw problems.notFound(`There is no inspection ${params.id}.`);
        const jpeg = await renders.thumbnail(record, THUMBNAIL_SIZE, { colormap: config.colormap, opacity: config.overlayOpacity });
        res.type('image/jpeg').send(jpeg);
        return undefined;
      },
    }),
  ];
}
