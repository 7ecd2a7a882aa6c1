/**
 * Sinks: where results go to the line (webhooks, MQTT, folders). Admins create, replace and
 * remove them (audited, secrets never shown back or logged), send a test message, list a sink's
 * dead letters and send them again.
 */
import { performance } from 'node:perf_hooks';
import { sinkKind } from '../../outbox/sink-kinds.js';
import type { OutboxEntry } from '../../store/outbox.js';
import type { SinkDefinition, SinkRecord } from '../../store/sinks.js';
import type { ServerContext } from '../context.js';
import { testMessage } from '../outbound-messages.js';
import { HttpProblem, problems } from '../problem.js';
import { defineRoute, type RouteSpec } from '../route.js';
import {
  DeadLetterListSchema,
  DeadLetterQuery,
  ReasonBody,
  ResendBody,
  ResendSchema,
  SinkBody,
  SinkListSchema,
  SinkParams,
  SinkSchema,
  SinkTestSchema,
  type SinkBodyInput,
} from '../sink-schemas.js';

const nameTaken = (name: string) => new HttpProblem(409, 'sink-name-taken', 'The sink name is taken', `Another sink is named "${name}"; sink names are unique.`);
const secretMissing = (kind: string, secret: string) =>
  new HttpProblem(400, 'invalid-request', 'The request is invalid', `Invalid body: a ${kind} sink needs settings.${secret}.`, {
    errors: [{ path: `body.settings.${secret}`, message: 'required' }],
  });
const testFailed = (reason: string) =>
  new HttpProblem(502, 'sink-test-failed', 'The sink did not acknowledge the test message', `The test message was not delivered: ${reason}`);

/** The settings without the kind's secrets, and which secrets are set. */
function redacted(record: Pick<SinkRecord, 'kind' | 'settings'>): { settings: Record<string, unknown>; secretsSet: string[] } {
  const secrets: readonly string[] = sinkKind(record.kind).secrets;
  const settings = Object.fromEntries(Object.entries(record.settings).filter(([name]) => !secrets.includes(name)));
  return { settings, secretsSet: secrets.filter((name) => record.settings[name] !== undefined) };
}

/** What to store for a request: a replaced sink of the same kind keeps the secrets the request leaves out. */
function definition(body: SinkBodyInput, previous: SinkRecord | null): SinkDefinition {
  const kind = sinkKind(body.kind);
  const settings: Record<string, unknown> = { ...body.settings };
  for (const secret of kind.secrets) {
    if (settings[secret] === undefined && previous?.kind === body.kind && previous.settings[secret] !== undefined) settings[secret] = previous.settings[secret];
  }
  for (const secret of kind.requiredSecrets) if (settings[secret] === undefined) throw secretMissing(body.kind, secret);
  return {
    name: body.name,
    productId: body.product,
    line: body.line ?? null,
    camera: body.camera ?? null,
    kind: body.kind,
    filter: body.filter,
    okShare: body.okShare,
    withOverlay: body.withOverlay,
    deadLetterAfterMs: body.deadLetterAfterMs,
    settings,
  };
}

export function sinkRoutes(context: ServerContext): RouteSpec[] {
  const { db, sinks, outbox, dispatcher, audit } = context;

  const sinkJson = (record: SinkRecord) => {
    const { pending, dead } = outbox.backlog(record.id);
    return {
      id: record.id,
      name: record.name,
      product: record.productId,
      line: record.line,
      camera: record.camera,
      kind: record.kind,
      filter: record.filter,
      okShare: record.okShare,
      withOverlay: record.withOverlay,
      deadLetterAfterMs: record.deadLetterAfterMs,
      ...redacted(record),
      pending,
      deadLetters: dead,
      createdAt: new Date(record.createdMs).toISOString(),
      updatedAt: new Date(record.updatedMs).toISOString(),
    };
  };
  const existing = (id: number): SinkRecord => {
    const record = sinks.get(id);
    if (!record) throw problems.notFound(`There is no sink ${id}.`);
    return record;
  };
  const deadLetterJson = (entry: OutboxEntry) => ({
    entry: entry.id,
    inspectionId: entry.inspectionId,
    driftEvent: entry.driftEventId,
    partRecord: entry.partRecordId,
    queuedAt: new Date(entry.createdMs).toISOString(),
    deadAt: entry.doneMs === null ? null : new Date(entry.doneMs).toISOString(),
    attempts: entry.attempts,
    lastError: entry.lastError,
  });
  /** The audit entry's view of a sink: what the API shows, never a secret. */
  const auditDetail = (record: SinkRecord, reason: string | undefined) => ({ ...sinkJson(record), reason: reason ?? null });

  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/sinks',
      operationId: 'listSinks',
      summary: 'The sinks results are sent to (webhooks, MQTT brokers, folders), with their backlogs',
      tag: 'sinks',
      access: 'admin',
      responses: { 200: { description: 'The sinks', schema: SinkListSchema } },
      handle: () => ({ items: sinks.list().map(sinkJson) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/sinks',
      operationId: 'createSink',
      summary: "Send a product's inspections (optionally of one line or camera) to a webhook, an MQTT broker or a folder",
      tag: 'sinks',
      access: 'admin',
      body: SinkBody,
      responses: { 201: { description: 'The sink; inspections logged from now on are sent to it', schema: SinkSchema }, 409: { description: 'The name is taken' } },
      async handle({ body, apiKey }) {
        const record = db.transaction(() => {
          const created = sinks.create(definition(body, null));
          if (!created) throw nameTaken(body.name);
          audit.record({ actorKeyId: apiKey?.id ?? null, action: 'sink.create', target: `sink:${created.name}`, detail: auditDetail(created, body.reason) });
          return created;
        })();
        await dispatcher.reload(record.id);
        return sinkJson(record);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/sinks/:id',
      operationId: 'getSink',
      summary: 'A sink and its backlog',
      tag: 'sinks',
      access: 'admin',
      params: SinkParams,
      responses: { 200: { description: 'The sink', schema: SinkSchema }, 404: { description: 'No such sink' } },
      handle: ({ params }) => sinkJson(existing(params.id)),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/sinks/:id',
      operationId: 'replaceSink',
      summary: 'Replace a sink\'s configuration (secrets left out are kept when the kind stays); its undelivered results go to the new configuration',
      tag: 'sinks',
      access: 'admin',
      params: SinkParams,
      body: SinkBody,
      responses: { 200: { description: 'The sink', schema: SinkSchema }, 404: { description: 'No such sink' }, 409: { description: 'The name is taken' } },
      async handle({ params, body, apiKey }) {
        const record = db.transaction(() => {
          const replaced = sinks.replace(params.id, definition(body, existing(params.id)));
          if (!replaced) throw nameTaken(body.name);
          audit.record({ actorKeyId: apiKey?.id ?? null, action: 'sink.replace', target: `sink:${replaced.name}`, detail: auditDetail(replaced, body.reason) });
          return replaced;
        })();
        await dispatcher.reload(record.id);
        return sinkJson(record);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/sinks/:id',
      operationId: 'removeSink',
      summary: 'Stop sending results to a sink; its undelivered results and dead letters are dropped',
      tag: 'sinks',
      access: 'admin',
      params: SinkParams,
      body: ReasonBody,
      responses: { 204: { description: 'Removed' }, 404: { description: 'No such sink' } },
      async handle({ params, body, apiKey, res }) {
        db.transaction(() => {
          const record = existing(params.id);
          audit.record({ actorKeyId: apiKey?.id ?? null, action: 'sink.remove', target: `sink:${record.name}`, detail: auditDetail(record, body.reason) });
          sinks.remove(params.id);
        })();
        await dispatcher.reload(params.id);
        res.status(204).end();
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/sinks/:id/test',
      operationId: 'testSink',
      summary: 'Send a test message ({"test": true, "inspection": null}) to the sink now, outside its queue, and say whether it was acknowledged',
      tag: 'sinks',
      access: 'admin',
      params: SinkParams,
      responses: { 200: { description: 'Delivered', schema: SinkTestSchema }, 404: { description: 'No such sink' }, 502: { description: 'Not delivered, with the reason' } },
      async handle({ params }) {
        const record = existing(params.id);
        const kind = sinkKind(record.kind);
        const sink = kind.create(kind.settings.parse(record.settings));
        const started = performance.now();
        try {
          await sink.deliver(testMessage(record), AbortSignal.timeout(60_000));
        } catch (error) {
          throw testFailed(error instanceof Error ? error.message : String(error));
        } finally {
          await sink.close();
        }
        return { delivered: true as const, ms: Math.round(performance.now() - started) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/sinks/:id/dead-letters',
      operationId: 'listDeadLetters',
      summary: "A sink's dead letters (results it kept failing to take), oldest first",
      tag: 'sinks',
      access: 'admin',
      params: SinkParams,
      query: DeadLetterQuery,
      responses: { 200: { description: 'The dead letters', schema: DeadLetterListSchema }, 404: { description: 'No such sink' } },
      handle({ params, query }) {
        existing(params.id);
        return { items: outbox.deadLetters(params.id, query.limit).map(deadLetterJson) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/sinks/:id/dead-letters/resend',
      operationId: 'resendDeadLetters',
      summary: "Send a sink's dead letters again (all, or those listed), ahead of its newer results",
      tag: 'sinks',
      access: 'admin',
      params: SinkParams,
      body: ResendBody,
      responses: { 200: { description: 'How many went back into the queue', schema: ResendSchema }, 404: { description: 'No such sink' } },
      handle({ params, body, apiKey }) {
        const resent = db.transaction(() => {
          const record = existing(params.id);
          const ids = body.entries ?? outbox.deadLetters(record.id, 10_000).map((entry) => entry.id);
          const count = ids.filter((id) => outbox.get(id)?.sinkId === record.id && outbox.resend(id) !== null).length;
          audit.record({ actorKeyId: apiKey?.id ?? null, action: 'sink.resend', target: `sink:${record.name}`, detail: { entries: body.entries ?? 'all', resent: count, reason: body.reason ?? null } });
          return count;
        })();
        dispatcher.wake();
        return { resent };
      },
    }),
  ];
}
