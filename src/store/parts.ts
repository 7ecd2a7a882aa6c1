/**
 * Part records: the views of one part of a multi-view product (see product-views.ts), gathered
 * into passes with one verdict. A pass opens with the first view of a part that has no open pass,
 * expecting the views the product declares at that moment, and closes as complete once every one
 * of them arrived, or as incomplete once its deadline passed. Its verdict: NG as soon as any view
 * is NG (with the worst score), OK only when complete, INCOMPLETE when closed short of views
 * without an NG; never OK by default. A view arriving for a closed pass opens the next pass, so a
 * verdict the line acted on never changes.
 *
 * Every change happens in one immediate transaction with the inspection's own row, so views
 * posted at once and in any order (even by several processes) all land in the same pass and the
 * last one to commit sees all the others. A pass's verdict is put in the outbox for the line's
 * sinks in the transaction that closes it, so it is sent once whichever way it closed.
 */
import type { Decision } from '../model/loaded-model.js';
import type { BlobLease } from './blob-store.js';
import type { Db } from './database.js';
import type { InspectionStore, NewInspection } from './inspections.js';
import type { OutboxStore } from './outbox.js';
import type { ProductViewStore } from './product-views.js';

export const PART_STATUSES = ['open', 'complete', 'incomplete'] as const;
export type PartStatus = (typeof PART_STATUSES)[number];
export const PART_VERDICTS = ['OK', 'NG', 'INCOMPLETE'] as const;
export type PartVerdict = (typeof PART_VERDICTS)[number];

export interface PartRecord {
  id: number;
  productId: string;
  partId: string;
  pass: number;
  expectedViews: string[];
  status: PartStatus;
  /** Null while the pass is open and no view is NG. */
  verdict: PartVerdict | null;
  worstScore: number | null;
  openedMs: number;
  deadlineMs: number;
  closedMs: number | null;
}

/** The outcome of logging a view: its pass, and every pass that closed meanwhile (its own included). */
export interface LoggedView {
  record: PartRecord;
  closed: PartRecord[];
}

interface Row {
  id: number;
  product_id: string;
  part_id: string;
  pass: number;
  expected_views: string;
  status: PartStatus;
  verdict: PartVerdict | null;
  worst_score: number | null;
  opened_ms: number;
  deadline_ms: number;
  closed_ms: number | null;
}

/** The line every view of a pass names, or null when they name none or differ: the line a part's verdict goes to. */
export function sharedLine(views: readonly { line: string | null }[]): string | null {
  const lines = new Set(views.map((view) => view.line));
  return lines.size === 1 ? views[0].line : null;
}

/** A view of a pass as its verdict needs it, oldest first. */
interface ViewRow {
  id: string;
  view: string;
  line: string | null;
  decision: Decision;
  score: number;
}

const toRecord = (row: Row): PartRecord => ({
  id: row.id,
  productId: row.product_id,
  partId: row.part_id,
  pass: row.pass,
  expectedViews: JSON.parse(row.expected_views) as string[],
  status: row.status,
  verdict: row.verdict,
  worstScore: row.worst_score,
  openedMs: row.opened_ms,
  deadlineMs: row.deadline_ms,
  closedMs: row.closed_ms,
});

export class PartStore {
  private readonly latestPass;
  private readonly byPass;
  private readonly byId;
  private readonly viewsOf;

  constructor(
    private readonly db: Db,
    private readonly inspections: InspectionStore,
    private readonly productViews: ProductViewStore,
    private readonly outbox: Pick<OutboxStore, 'enqueuePart'> | null = null,
  ) {
    this.latestPass = db.prepare('SELECT * FROM part_records WHERE product_id = ? AND part_id = ? ORDER BY pass DESC LIMIT 1');
    this.byPass = db.prepare('SELECT * FROM part_records WHERE product_id = ? AND part_id = ? AND pass = ?');
    this.byId = db.prepare('SELECT * FROM part_records WHERE id = ?');
    this.viewsOf = db.prepare('SELECT id, view, line, decision, score FROM inspections WHERE part_record_id = ? ORDER BY created_ms, id');
  }

  /**
   * Logs `inspection` (a view of part `inspection.trace.partId` of multi-view product `productId`)
   * and brings its pass up to date, all in one transaction, with whatever `alongside` writes after
   * the inspection's row (its line health).
   */
  logView(productId: string, inspection: NewInspection, files: { image: BlobLease; map: BlobLease }, alongside?: () => void, now = Date.now()): LoggedView {
    const partId = inspection.trace.partId;
    if (partId === null || inspection.trace.view === null) throw new Error('a view of a part needs a part id and a view name');
    return this.db
      .transaction((): LoggedView => {
        const closed: PartRecord[] = [];
        let pass = this.latest(productId, partId);
        // overdue but not yet swept: closed here as the deadline timer would have
        if (pass?.status === 'open' && pass.deadlineMs <= now) closed.push((pass = this.closeIncomplete(pass.id, now)));
        const record = pass?.status === 'open' ? pass : this.open(productId, partId, (pass?.pass ?? 0) + 1, now);
        this.inspections.insert(inspection, files, record.id);
        alongside?.();
        const updated = this.evaluate(record, now);
        if (updated.status !== 'open') closed.push(updated);
        return { record: updated, closed };
      })
      .immediate();
  }

  /** Closes every open pass whose deadline has passed (also those that passed while the server was down). */
  closeOverdue(now = Date.now()): PartRecord[] {
    return this.db
      .transaction(() => {
        const overdue = this.db.prepare("SELECT id FROM part_records WHERE status = 'open' AND deadline_ms <= ?").pluck().all(now) as number[];
        return overdue.map((id) => this.closeIncomplete(id, now));
      })
      .immediate();
  }

  /** The earliest deadline of an open pass, or null when none is open. */
  nextDeadline(): number | null {
    return this.db.prepare("SELECT MIN(deadline_ms) FROM part_records WHERE status = 'open'").pluck().get() as number | null;
  }

  latest(productId: string, partId: string): PartRecord | null {
    const row = this.latestPass.get(productId, partId) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  pass(productId: string, partId: string, pass: number): PartRecord | null {
    const row = this.byPass.get(productId, partId, pass) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  get(id: number): PartRecord | null {
    const row = this.byId.get(id) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  private open(productId: string, partId: string, pass: number, now: number): PartRecord {
    const declared = this.productViews.get(productId);
    if (!declared) throw new Error(`product ${productId} declares no views`);
    const row = this.db
      .prepare(
        `INSERT INTO part_records (product_id, part_id, pass, expected_views, status, opened_ms, deadline_ms)
         VALUES (?, ?, ?, ?, 'open', ?, ?) RETURNING *`,
      )
      .get(productId, partId, pass, JSON.stringify(declared.views.map((view) => view.name)), now, now + declared.timeoutMs) as Row;
    return toRecord(row);
  }

  /** The pass's verdict and status from the views it has now. */
  private evaluate(record: PartRecord, now: number): PartRecord {
    const views = this.viewsOf.all(record.id) as ViewRow[];
    const seen = new Set(views.map((view) => view.view));
    const complete = record.expectedViews.every((name) => seen.has(name));
    const verdict: PartVerdict | null = views.some((view) => view.decision === 'NG') ? 'NG' : complete ? 'OK' : null;
    const worstScore = Math.max(...views.map((view) => view.score));
    const row = this.db
      .prepare('UPDATE part_records SET status = ?, verdict = ?, worst_score = ?, closed_ms = ? WHERE id = ? RETURNING *')
      .get(complete ? 'complete' : 'open', verdict, worstScore, complete ? now : null, record.id) as Row;
    const updated = toRecord(row);
    if (complete) this.sendVerdict(updated, views);
    return updated;
  }

  private closeIncomplete(id: number, now: number): PartRecord {
    const row = this.db
      .prepare("UPDATE part_records SET status = 'incomplete', verdict = COALESCE(verdict, 'INCOMPLETE'), closed_ms = ? WHERE id = ? RETURNING *")
      .get(now, id) as Row;
    const closed = toRecord(row);
    this.sendVerdict(closed, this.viewsOf.all(id) as ViewRow[]);
    return closed;
  }

  /** Puts a pass that just closed in the outbox. */
  private sendVerdict(record: PartRecord, views: readonly ViewRow[]): void {
    // a pass opens with its first view, in the same transaction: it always has one
    this.outbox?.enqueuePart(record, sharedLine(views), views[views.length - 1].id);
  }
}
