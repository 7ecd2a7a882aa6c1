/**
 * The zod schemas of the traceability API: multi-view products and their parts, legal holds and
 * exports. Requests are validated with these at the edge; the OpenAPI document is generated from
 * them (as from schemas.ts).
 */
import { z } from 'zod';
import { HOLD_KINDS } from '../store/legal-holds.js';
import { PART_REVIEW_VERDICTS } from '../store/part-reviews.js';
import { PART_STATUSES, PART_VERDICTS } from '../store/parts.js';
import { InspectionSchema, PRODUCT_PATTERN, traceText, viewName } from './schemas.js';

const productId = z.string().regex(PRODUCT_PATTERN, 'must be a product id: letters, digits, ".", "_" or "-", at most 64 characters');
const reason = z.string().trim().min(1).max(500).describe('why: kept in the audit log');
const timestamp = (what: string) => z.iso.datetime({ offset: true }).describe(`${what} (ISO 8601)`);

/** Views of one product: a few cameras around a part, not a gallery. */
export const MAX_VIEWS = 16;
/** The longest a long-poll waits for a part to complete. */
export const MAX_PART_WAIT_SECONDS = 60;

// ---- requests

export const ProductViewsBody = z
  .strictObject({
    views: z
      .array(
        z.strictObject({
          name: viewName,
          product: productId.optional().describe('the product whose active model scores this view (default: this product)'),
        }),
      )
      .max(MAX_VIEWS)
      .describe('the views in order; none makes the product single-view again'),
    timeoutMs: z.number().int().min(100).max(86_400_000).optional().describe('how long the views of one part may take to arrive (default: the server setting partTimeoutMs)'),
    reason,
  })
  .superRefine((body, ctx) => {
    const names = body.views.map((view) => view.name);
    const repeated = names.filter((name, i) => names.indexOf(name) !== i);
    if (repeated.length) ctx.addIssue({ code: 'custom', path: ['views'], message: `view names must differ: ${[...new Set(repeated)].join(', ')} appears more than once` });
  });

export const PartParams = z.object({ product: productId, part: traceText("the part's id (serial)") });

export const PartQuery = z.object({
  pass: z.coerce.number().int().min(1).optional().describe('which pass of the part (default: the latest)'),
  wait: z.coerce
    .number()
    .min(0)
    .max(MAX_PART_WAIT_SECONDS)
    .default(0)
    .describe(`seconds to wait for an open pass to close (complete, or incomplete at its deadline) before answering; at most ${MAX_PART_WAIT_SECONDS}`),
});

export const PartReviewBody = z.strictObject({
  verdict: z
    .enum(PART_REVIEW_VERDICTS)
    .describe('good: NG views become false alarms, OK views are confirmed; defective: NG views become true defects, OK views are left for a per-view verdict'),
  note: z.string().max(2000).optional(),
  pass: z.number().int().min(1).optional().describe('default: the latest pass'),
});

export const LegalHoldBody = z.strictObject({
  kind: z.enum(HOLD_KINDS).describe('a lot, or a part (by part id, in every product)'),
  value: traceText('the lot, or the part id'),
  held: z.boolean().describe('true places the hold, false releases it'),
  reason,
});

export const ExportQuery = z.object({
  lot: traceText('the lot to export').optional(),
  part: traceText('the part id (serial) to export').optional(),
  product: productId.optional(),
  from: timestamp('earliest inspection time, inclusive').optional(),
  to: timestamp('latest inspection time, exclusive').optional(),
});

// ---- responses

export const ProductViewsSchema = z.object({
  product: z.string(),
  views: z.array(z.object({ name: z.string(), product: z.string() })).describe('empty for a single-view product'),
  timeoutMs: z.number().int(),
  updatedAt: z.string().nullable(),
});

export const PartSchema = z.object({
  product: z.string().describe('the multi-view product'),
  part: z.string().describe("the part's id (serial)"),
  pass: z.number().int(),
  passes: z.number().int().describe('passes of this part so far (a view arriving for a closed pass opens the next)'),
  status: z.enum(PART_STATUSES).describe('open: views are still expected; complete: every view arrived; incomplete: its deadline passed first'),
  verdict: z
    .enum(PART_VERDICTS)
    .nullable()
    .describe('NG as soon as any view is NG; OK only when complete with every view OK; INCOMPLETE when closed short of views; null while open and undecided'),
  worstScore: z.number().nullable(),
  expectedViews: z.array(z.string()),
  missingViews: z.array(z.string()),
  openedAt: z.string(),
  deadline: z.string(),
  closedAt: z.string().nullable(),
  legalHold: z.boolean(),
  views: z
    .array(z.object({ name: z.string(), decision: z.enum(['OK', 'NG']).nullable(), inspections: z.array(InspectionSchema) }))
    .describe('expected views in order, then any other; inspections oldest first (a view sent twice counts twice)'),
});
export type PartJson = z.infer<typeof PartSchema>;

export const LegalHoldSchema = z.object({
  kind: z.enum(HOLD_KINDS),
  value: z.string(),
  held: z.boolean(),
  reason: z.string().nullable(),
  placedBy: z.string().nullable().describe('prefix of the key that placed it'),
  placedAt: z.string().nullable(),
});
export const LegalHoldListSchema = z.object({ items: z.array(LegalHoldSchema) });
