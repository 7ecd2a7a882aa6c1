/**
 * The durable outbox: one entry per logged inspection and matching sink, written inside the
 * inspection's own transaction (InspectionStore calls `enqueue`), so an inspection is either
 * logged with its entries or not at all; a part's verdict likewise, in the transaction that closes
 * its pass (PartStore calls `enqueuePart`). The dispatcher (src/outbox) takes each sink's entries
 * oldest first, marks them delivered once the receiver acknowledged, reschedules them after a
 * failure, and makes them dead letters once they kept failing for the sink's dead-letter age.
 */
import { openDatabase, type Db } from './database.js';
import type { DriftEvent } from './drift-events.js';
import type { NewInspection } from './inspections.js';
import type { PartRecord, PartVerdict } from './parts.js';
import type { SinkFilter } from './sinks.js';

export type OutboxState = 'pending' | 'delivered' | 'dead';

export interface OutboxEntry {
  id: number;
  sinkId: number;
  inspectionId: string;
  /** A drift alert: the event it reports (inspectionId is the inspection that completed its evidence); null for a result. */
  driftEventId: number | null;
  /** A part's verdict: the pass it reports (inspectionId is the pass's latest view); null otherwise. */
  partRecordId: number | null;
  createdMs: number;
  state: OutboxState;
  attempts: number;
  nextAttemptMs: number;
  lastError: string | null;
  doneMs: number | null;
}

interface Row {
  id: number;
  sink_id: number;
  inspection_id: string;
  drift_event_id: number | null;
  part_record_id: number | null;
  created_ms: number;
  state: OutboxState;
  attempts: number;
  next_attempt_ms: number;
  last_error: string | null;
  done_ms: number | null;
}

const toEntry = (row: Row): OutboxEntry => ({
  id: row.id,
  sinkId: row.sink_id,
  inspectionId: row.inspection_id,
  driftEventId: row.drift_event_id,
  partRecordId: row.part_record_id,
  createdMs: row.created_ms,
  state: row.state,
  attempts: row.attempts,
  nextAttemptMs: row.next_attempt_ms,
  lastError: row.last_error,
  doneMs: row.done_ms,
});

/** What a sink's filter reads: an inspection's decision or a closed part's verdict. */
type Verdict = NewInspection['decision'] | PartVerdict;

/**
 * Whether a sink with `filter` takes a result; `draw` is uniform in [0, 1). Anything but OK is
 * taken as NG is: an incomplete part must reach the reject gate as surely as a defective one.
 */
function sinkTakes(filter: SinkFilter, okShare: number, verdict: Verdict, draw: () => number): boolean {
  if (filter === 'all' || verdict !== 'OK') return true;
  return filter === 'sample' && draw() < okShare;
}

/** Where an entry is written: the sinks of a product, line and camera (null: only sinks for any). */
interface Scope {
  productId: string;
  line: string | null;
  camera: string | null;
}

/** What an entry reports: an inspection's result, or the drift event or part pass named beside it. */
interface Subject {
  inspectionId: string;
  driftEventId?: number;
  partRecordId?: number;
  createdMs: number;
}

/**
 * The dispatcher's own connection, with synchronous=NORMAL: marking an entry delivered (three
 * marks per inspection with three sinks) then costs no fsync on the event loop. In WAL mode such
 * a commit survives a crash of the process; only a power cut can take the last marks back (their
 * frames reach the disk with the next inspection's commit), and then those results are sent once
 * more, which receivers absorb by deliveryId. Entries themselves are written on the inspection's
 * connection, in its transaction.
 */
export function openDeliveryConnection(file: string): Db {
  const db = openDatabase(file);
  db.pragma('synchronous = NORMAL');
  return db;
}

export class OutboxStore {
  private readonly matchingSinks;
  private readonly insertEntry;
  private readonly headOf;

  constructor(
    private readonly db: Db,
    /** Draws the OK sample (replaceable in tests). */
    private readonly draw: () => number = Math.random,
  ) {
    this.matchingSinks = db.prepare(
      `SELECT id, filter, ok_share FROM sinks
       WHERE product_id = @product AND (line IS NULL OR line = @line) AND (camera IS NULL OR camera = @camera)`,
    );
    this.insertEntry = db.prepare(
      `INSERT INTO outbox (sink_id, inspection_id, drift_event_id, part_record_id, created_ms, state, next_attempt_ms)
       VALUES (@sinkId, @inspectionId, @driftEventId, @partRecordId, @createdMs, 'pending', @createdMs)`,
    );
    this.headOf = db.prepare("SELECT * FROM outbox WHERE sink_id = ? AND state = 'pending' ORDER BY id LIMIT 1");
  }

  /** Writes the entries of a new inspection; to be called inside its transaction. Returns how many. */
  enqueue(inspection: NewInspection): number {
    return this.write(this.takers(inspection, inspection.decision), { inspectionId: inspection.id, createdMs: inspection.createdMs });
  }

  /**
   * Writes a drift alert's entries: every sink of the camera's product, line and camera takes it,
   * whatever its filter (the filters choose among inspections). Returns how many.
   */
  enqueueDrift(event: Pick<DriftEvent, 'id' | 'productId' | 'line' | 'camera' | 'inspectionId' | 'detectedMs'>): number {
    const scope = { productId: event.productId, line: event.line || null, camera: event.camera || null };
    return this.write(this.takers(scope, null), { inspectionId: event.inspectionId, driftEventId: event.id, createdMs: event.detectedMs });
  }

  /**
   * Writes a closed pass's verdict: to the sinks of the part's product for its line and any camera
   * (a part is seen by several cameras), filtered as an inspection's decision is (NG only takes NG
   * and INCOMPLETE parts). `line`: the line its views share (null when they name none or differ);
   * `latestViewId`: its latest view. To be called inside the transaction that closes the pass.
   */
  enqueuePart(record: Pick<PartRecord, 'id' | 'productId' | 'verdict' | 'closedMs'>, line: string | null, latestViewId: string): number {
    if (record.verdict === null || record.closedMs === null) throw new Error(`part record ${record.id} is still open`);
    const scope = { productId: record.productId, line, camera: null };
    return this.write(this.takers(scope, record.verdict), { inspectionId: latestViewId, partRecordId: record.id, createdMs: record.closedMs });
  }

  /** The ids of the sinks in `scope` whose filter takes `verdict` (null: every one, whatever its filter). */
  private takers(scope: Scope, verdict: Verdict | null): number[] {
    const sinks = this.matchingSinks.all({ product: scope.productId, line: scope.line, camera: scope.camera }) as { id: number; filter: SinkFilter; ok_share: number }[];
    return sinks.filter((sink) => verdict === null || sinkTakes(sink.filter, sink.ok_share, verdict, this.draw)).map((sink) => sink.id);
  }

  private write(sinkIds: readonly number[], subject: Subject): number {
    const { inspectionId, driftEventId = null, partRecordId = null, createdMs } = subject;
    for (const sinkId of sinkIds) this.insertEntry.run({ sinkId, inspectionId, driftEventId, partRecordId, createdMs });
    return sinkIds.length;
  }

  /** The sink's oldest undelivered entry: the next to send, so a sink's entries go out in order. */
  head(sinkId: number): OutboxEntry | null {
    const row = this.headOf.get(sinkId) as Row | undefined;
    return row ? toEntry(row) : null;
  }

  delivered(id: number, now = Date.now()): void {
    this.db.prepare("UPDATE outbox SET state = 'delivered', attempts = attempts + 1, last_error = NULL, done_ms = ? WHERE id = ?").run(now, id);
  }

  /** A failed attempt: retried at `nextAttemptMs`. */
  failed(id: number, error: string, nextAttemptMs: number): void {
    this.db.prepare('UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_ms = ? WHERE id = ?').run(error, nextAttemptMs, id);
  }

  /** A failed attempt after which the entry is given up on, until someone re-sends it. */
  deadLetter(id: number, error: string, now = Date.now()): void {
    this.db.prepare("UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_error = ?, done_ms = ? WHERE id = ?").run(error, now, id);
  }

  /** Dead letters, oldest first (of one sink, or of all). */
  deadLetters(sinkId: number | null, limit: number): OutboxEntry[] {
    const rows = this.db
      .prepare("SELECT * FROM outbox WHERE state = 'dead' AND (@sinkId IS NULL OR sink_id = @sinkId) ORDER BY id LIMIT @limit")
      .all({ sinkId, limit }) as Row[];
    return rows.map(toEntry);
  }

  get(id: number): OutboxEntry | null {
    const row = this.db.prepare('SELECT * FROM outbox WHERE id = ?').get(id) as Row | undefined;
    return row ? toEntry(row) : null;
  }

  /**
   * Puts a dead letter back in its sink's queue, due now, with its age counted from now (else it
   * would be dead again at its first failure). Null when `id` is no dead letter.
   */
  resend(id: number, now = Date.now()): OutboxEntry | null {
    const row = this.db
      .prepare("UPDATE outbox SET state = 'pending', attempts = 0, created_ms = ?, next_attempt_ms = ?, done_ms = NULL WHERE id = ? AND state = 'dead' RETURNING *")
      .get(now, now, id) as Row | undefined;
    return row ? toEntry(row) : null;
  }

  /** One sink's undelivered entries and dead letters. */
  backlog(sinkId: number): { pending: number; dead: number } {
    const count = (state: OutboxState) => this.db.prepare(`SELECT COUNT(*) FROM outbox WHERE sink_id = ? AND state = '${state}'`).pluck().get(sinkId) as number;
    return { pending: count('pending'), dead: count('dead') };
  }

  /** Per sink, its undelivered entries and the oldest one's time, and its dead letters (for metrics; both read the partial indexes). */
  summary(): { pending: SinkBacklog[]; dead: SinkBacklog[] } {
    const backlog = (state: OutboxState) =>
      this.db.prepare(`SELECT sink_id AS sinkId, COUNT(*) AS count, MIN(created_ms) AS oldestMs FROM outbox WHERE state = '${state}' GROUP BY sink_id`).all() as SinkBacklog[];
    return { pending: backlog('pending'), dead: backlog('dead') };
  }

  /** Forgets delivered entries older than `beforeMs`: the log keeps the inspections themselves. */
  pruneDelivered(beforeMs: number): number {
    return this.db.prepare("DELETE FROM outbox WHERE state = 'delivered' AND done_ms < ?").run(beforeMs).changes;
  }
}

export interface SinkBacklog {
  sinkId: number;
  count: number;
  oldestMs: number;
}
