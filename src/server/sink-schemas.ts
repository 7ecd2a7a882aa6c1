/**
 * The zod schemas of the sinks API (results sent to the line): requests validated at the edge,
 * responses typed in the handlers, and the OpenAPI document generated from both. A sink's
 * settings are its kind's own schema (src/outbox/sinks); secrets are accepted, never returned.
 */
import { z } from 'zod';
import { SINK_KINDS } from '../outbox/sink-kinds.js';
import { SINK_FILTERS } from '../store/sinks.js';
import { NAME_PATTERN, PRODUCT_PATTERN } from './schemas.js';

const reason = z.string().trim().min(1).max(500).describe('why: kept in the audit log');
const label = (what: string) => z.string().trim().min(1).max(64).describe(what);

const DAY_MS = 86_400_000;

const common = {
  name: z.string().regex(NAME_PATTERN, 'must be a sink name: a letter or digit, then letters, digits, ".", "_" or "-", at most 32 characters').describe('unique; the metrics label'),
  product: z.string().regex(PRODUCT_PATTERN, 'must be a product id').describe("the product whose inspections are sent"),
  line: label('only inspections of this line (default: every line)').optional(),
  camera: label('only inspections of this camera (default: every camera)').optional(),
  filter: z.enum(SINK_FILTERS).default('ng').describe('ng: NG only; all: every inspection; sample: NG and a share (okShare) of OK'),
  okShare: z.number().min(0).max(1).default(0).describe('with filter "sample": the share of OK inspections sent'),
  withOverlay: z.boolean().default(false).describe('send the overlay picture too'),
  deadLetterAfterMs: z
    .number()
    .int()
    .min(1000)
    .max(30 * DAY_MS)
    .default(DAY_MS)
    .describe('a result still undelivered this long after its inspection becomes a dead letter (listed, and re-sent on request)'),
  reason: reason.optional(),
};

const bodies = Object.entries(SINK_KINDS).map(([kind, definition]) =>
  z.strictObject({ ...common, kind: z.literal(kind), settings: definition.settings.describe(`the ${kind} settings`) }),
);

export const SinkBody = z.discriminatedUnion('kind', bodies as unknown as [(typeof bodies)[number], ...(typeof bodies)[number][]]);
export type SinkBodyInput = z.output<typeof SinkBody>;

export const SinkParams = z.object({ id: z.coerce.number().int().min(1).describe("the sink's id") });
export const ReasonBody = z.strictObject({ reason: reason.optional() });
export const ResendBody = z.strictObject({
  entries: z.array(z.number().int().min(1)).min(1).max(10_000).optional().describe("the dead letters to send again (default: all of the sink's)"),
  reason: reason.optional(),
});
export const DeadLetterQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });

// ---- responses

export const SinkSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  product: z.string(),
  line: z.string().nullable(),
  camera: z.string().nullable(),
  kind: z.string(),
  filter: z.enum(SINK_FILTERS),
  okShare: z.number(),
  withOverlay: z.boolean(),
  deadLetterAfterMs: z.number().int(),
  settings: z.record(z.string(), z.unknown()).describe('the settings without secrets'),
  secretsSet: z.array(z.string()).describe('the secret settings that are set (their values are never shown)'),
  pending: z.number().int().describe('results waiting for delivery'),
  deadLetters: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const SinkListSchema = z.object({ items: z.array(SinkSchema) });

export const DeadLetterSchema = z.object({
  entry: z.number().int().describe('the outbox entry (the delivery id receivers see)'),
  inspectionId: z.string(),
  driftEvent: z.number().int().nullable().describe("a drift alert's event (inspectionId is then the inspection that completed its evidence); null for an inspection's result"),
  partRecord: z.number().int().nullable().describe("a part's verdict: the id of the pass it reports (inspectionId is then the pass's latest view); null otherwise"),
  queuedAt: z.string(),
  deadAt: z.string().nullable(),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
});
export const DeadLetterListSchema = z.object({ items: z.array(DeadLetterSchema) });
export const ResendSchema = z.object({ resent: z.number().int() });
export const SinkTestSchema = z.object({ delivered: z.literal(true), ms: z.number() });
