/** GET /api/v1/stats and the audit log. */
import { inspectionStats } from '../../store/stats.js';
import type { ServerContext } from '../context.js';
import { HttpProblem } from '../problem.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { AuditListSchema, AuditQuery, STATS_BUCKETS, StatsQuery, StatsSchema } from '../schemas.js';

/** More buckets than this is a query for an export, not for a chart. */
const MAX_BUCKETS = 5000;
/**
 * The widest range one query may add up: the dashboard's widest view (30 days) and a calendar
 * month. Stats run on the main thread that also serves the cameras; this bounds what one query
 * reads to 744 hourly rollup rows per product, line and camera.
 */
const MAX_STATS_SPAN_DAYS = 31;

export function statsRoutes(context: ServerContext): RouteSpec[] {
  const { db, audit, keys } = context;
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/stats',
      operationId: 'stats',
      summary: `NG rate, score histogram, review outcomes and latency per product, line and time bucket; at most ${MAX_STATS_SPAN_DAYS} days and ${MAX_BUCKETS} buckets per query, widened to whole minutes (minute buckets) or hours`,
      tag: 'qa',
      access: { roles: ['qa'] },
      query: StatsQuery,
      responses: { 200: { description: 'Statistics', schema: StatsSchema } },
      handle({ query }) {
        const bucketMs = STATS_BUCKETS[query.bucket];
        const toMs = query.to ? Date.parse(query.to) : Date.now();
        const fromMs = query.from ? Date.parse(query.from) : toMs - 86_400_000;
        if (fromMs >= toMs) throw new HttpProblem(400, 'invalid-range', 'The time range is empty', '`from` must be before `to`.');
        if (toMs - fromMs > MAX_STATS_SPAN_DAYS * 86_400_000) {
          throw new HttpProblem(
            400,
            'range-too-long',
            `The time range is longer than ${MAX_STATS_SPAN_DAYS} days`,
            `Statistics cover at most ${MAX_STATS_SPAN_DAYS} days per query; ask for the range in parts.`,
          );
        }
        if ((toMs - fromMs) / bucketMs > MAX_BUCKETS) {
          throw new HttpProblem(400, 'too-many-buckets', 'The time range has too many buckets', `Use a larger bucket: at most ${MAX_BUCKETS} buckets per query.`);
        }
        const stats = inspectionStats(db, { product: query.product, line: query.line, camera: query.camera, fromMs, toMs }, bucketMs);
        return {
          from: new Date(stats.fromMs).toISOString(),
          to: new Date(stats.toMs).toISOString(),
          bucket: query.bucket,
          buckets: stats.buckets.map(({ startMs, ...rest }) => ({ ...rest, start: new Date(startMs).toISOString() })),
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/audit',
      operationId: 'auditLog',
      summary: 'Administrative actions, newest first',
      tag: 'admin',
      access: 'admin',
      query: AuditQuery,
      responses: { 200: { description: 'Audit entries', schema: AuditListSchema } },
      handle({ query }) {
        // revoked keys included: the entry still says who acted
        const actors = new Map(keys.list().map((key) => [key.id, { name: key.name, prefix: key.prefix }]));
        return {
          items: audit.list(query.limit, query.before ?? null).map(({ atMs, ...entry }) => ({
            ...entry,
            actor: entry.actorKeyId === null ? null : (actors.get(entry.actorKeyId) ?? null),
            at: new Date(atMs).toISOString(),
          })),
        };
      },
    }),
  ];
}
