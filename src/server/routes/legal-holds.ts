/** Legal holds on lots and parts: QA lists them, admins place and release them (audited). */
import type { LegalHold } from '../../store/legal-holds.js';
import type { ServerContext } from '../context.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { LegalHoldBody, LegalHoldListSchema, LegalHoldSchema } from '../traceability-schemas.js';

export function legalHoldRoutes(context: ServerContext): RouteSpec[] {
  const { db, holds, audit, keys } = context;
  // revoked keys included: the hold still says who placed it
  const prefixes = () => new Map(keys.list().map((key) => [key.id, key.prefix]));
  const holdJson = (hold: LegalHold, prefixOf: Map<number, string>) => ({
    kind: hold.kind,
    value: hold.value,
    held: true,
    reason: hold.reason,
    placedBy: hold.actorKeyId === null ? null : (prefixOf.get(hold.actorKeyId) ?? null),
    placedAt: new Date(hold.createdMs).toISOString(),
  });

  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/legal-holds',
      operationId: 'listLegalHolds',
      summary: 'Lots and parts under a legal hold (retention keeps their images and maps), newest first',
      tag: 'traceability',
      access: { roles: ['qa'] },
      responses: { 200: { description: 'The holds', schema: LegalHoldListSchema } },
      handle() {
        const prefixOf = prefixes();
        return { items: holds.list().map((hold) => holdJson(hold, prefixOf)) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/legal-holds',
      operationId: 'setLegalHold',
      summary: 'Place or release a legal hold on a lot or a part (by part id, in every product)',
      tag: 'traceability',
      access: 'admin',
      body: LegalHoldBody,
      responses: { 200: { description: 'The hold as it is now (placing one already in place, or releasing none, changes nothing)', schema: LegalHoldSchema } },
      handle({ body, apiKey }) {
        const actorKeyId = apiKey?.id ?? null;
        const target = `${body.kind}:${body.value}`;
        return db.transaction(() => {
          if (body.held) {
            const { hold, placed } = holds.place(body.kind, body.value, body.reason, actorKeyId);
            if (placed) audit.record({ actorKeyId, action: 'legal-hold.place', target, detail: { kind: body.kind, value: body.value, reason: body.reason } });
            return holdJson(hold, prefixes());
          }
          const released = holds.release(body.kind, body.value);
          if (released) {
            audit.record({ actorKeyId, action: 'legal-hold.release', target, detail: { kind: body.kind, value: body.value, reason: body.reason, placedReason: released.reason } });
          }
          return { kind: body.kind, value: body.value, held: false, reason: null, placedBy: null, placedAt: null };
        })();
      },
    }),
  ];
}
