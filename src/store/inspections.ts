/**
 * The inspection log: one row per accepted inspection, written once, in the same transaction as
 * the references to its files; and the queries behind the QA filters (keyset paging on
 * (created_ms, id), newest first) and the exports (the same filters, oldest first).
 */
import { storedQuality, type ImageQuality } from '../health/image-quality.js';
import type { Decision, Region } from '../model/loaded-model.js';
import type { BlobLease } from './blob-store.js';
import type { CursorKey } from './cursor.js';
import type { Db } from './database.js';
import { LEGAL_HOLD_OF_INSPECTION } from './legal-holds.js';
import type { OutboxStore } from './outbox.js';

export const REVIEW_VERDICTS = ['true_defect', 'false_alarm', 'missed_defect', 'ok'] as const;
export type ReviewVerdict = (typeof REVIEW_VERDICTS)[number];
export type ReviewState = 'unreviewed' | ReviewVerdict;

/** Who sent an inspection and how: for audits, never for decisions. */
export interface ClientInfo {
  apiKeyId: number | null;
  address: string | null;
  userAgent: string | null;
  requestId: string;
}

export interface StageTimings {
  /** Reading the upload (after admission). */
  receiveMs: number;
  decodeMs: number;
  queueMs: number;
  inferenceMs: number;
  storeMs: number;
  totalMs: number;
}

/** What the line says an image shows, beside its product: every field optional. */
export interface Traceability {
  /** The part's id (its serial number). */
  partId: string | null;
  lot: string | null;
  station: string | null;
  /** Which of a multi-view product's views the image is. */
  view: string | null;
  attributes: Record<string, string>;
}

export const NO_TRACEABILITY: Traceability = { partId: null, lot: null, station: null, view: null, attributes: {} };

/** The pass of a multi-view part an inspection is one view of (see parts.ts). */
export interface PartRecordRef {
  id: number;
  productId: string;
  pass: number;
}

export interface NewInspection {
  id: string;
  createdMs: number;
  productId: string;
  line: string | null;
  camera: string | null;
  trace: Traceability;
  modelVersionId: number;
  decision: Decision;
  score: number;
  rawScore: number;
  threshold: number;
  regions: Region[];
  image: { sha256: string; format: string; width: number; height: number; bytes: number };
  map: { width: number; height: number };
  timings: StageTimings;
  client: ClientInfo;
  /** Image quality of the model input; absent for rows written without it. */
  quality?: ImageQuality | null;
}

export interface InspectionRecord extends NewInspection {
  quality: ImageQuality | null;
  modelVersion: string;
  /** Content hashes of the files still on disk; null once retention removed them. */
  imageBlob: string | null;
  mapBlob: string | null;
  reviewState: ReviewState;
  partRecord: PartRecordRef | null;
  /** A legal hold covers its lot or part: retention keeps its files. */
  legalHold: boolean;
}

export interface InspectionFilter {
  product?: string;
  line?: string;
  camera?: string;
  part?: string;
  lot?: string;
  station?: string;
  view?: string;
  decision?: Decision;
  /** 'reviewed': any verdict. */
  review?: ReviewState | 'reviewed';
  minScore?: number;
  maxScore?: number;
  fromMs?: number;
  /** Exclusive. */
  toMs?: number;
}

export interface InspectionPage {
  items: InspectionRecord[];
  /** The key of the last item when more may follow. */
  next: CursorKey | null;
}

interface Row {
  id: string;
  created_ms: number;
  product_id: string;
  line: string | null;
  camera: string | null;
  model_version_id: number;
  model_version: string;
  decision: Decision;
  score: number;
  raw_score: number;
  threshold: number;
  regions: string;
  image_sha256: string;
  image_format: string;
  image_width: number;
  image_height: number;
  image_bytes: number;
  image_blob: string | null;
  map_blob: string | null;
  map_width: number;
  map_height: number;
  timings: string;
  client: string;
  review_state: ReviewState;
  part_id: string | null;
  lot: string | null;
  station: string | null;
  view: string | null;
  attributes: string | null;
  part_record_id: number | null;
  part_record_product: string | null;
  part_record_pass: number | null;
  legal_hold: 0 | 1;
  brightness: number | null;
  contrast: number | null;
  focus: number | null;
  saturation: number | null;
}

const SELECT = `SELECT i.*, v.version AS model_version, p.product_id AS part_record_product, p.pass AS part_record_pass,
    ${LEGAL_HOLD_OF_INSPECTION} AS legal_hold
  FROM inspections i JOIN model_versions v ON v.id = i.model_version_id LEFT JOIN part_records p ON p.id = i.part_record_id`;

const toRecord = (row: Row): InspectionRecord => ({
  id: row.id,
  createdMs: row.created_ms,
  productId: row.product_id,
  line: row.line,
  camera: row.camera,
  modelVersionId: row.model_version_id,
  modelVersion: row.model_version,
  decision: row.decision,
  score: row.score,
  rawScore: row.raw_score,
  threshold: row.threshold,
  regions: JSON.parse(row.regions) as Region[],
  image: { sha256: row.image_sha256, format: row.image_format, width: row.image_width, height: row.image_height, bytes: row.image_bytes },
  map: { width: row.map_width, height: row.map_height },
  imageBlob: row.image_blob,
  mapBlob: row.map_blob,
  timings: JSON.parse(row.timings) as StageTimings,
  client: JSON.parse(row.client) as ClientInfo,
  reviewState: row.review_state,
  trace: {
    partId: row.part_id,
    lot: row.lot,
    station: row.station,
    view: row.view,
    attributes: row.attributes ? (JSON.parse(row.attributes) as Record<string, string>) : {},
  },
  partRecord: row.part_record_id !== null ? { id: row.part_record_id, productId: row.part_record_product!, pass: row.part_record_pass! } : null,
  legalHold: row.legal_hold === 1,
  quality: storedQuality(row),
});

export class InspectionStore {
  private readonly insertRow;
  private readonly touchBlob;
  private readonly byId;
  private readonly byPartRecord;

  constructor(
    private readonly db: Db,
    /** Writes the inspection's outbox entries, inside its transaction (see outbox.ts). */
    private readonly outbox: Pick<OutboxStore, 'enqueue'> | null = null,
  ) {
    this.insertRow = db.prepare(
      `INSERT INTO inspections (id, created_ms, product_id, line, camera, model_version_id, decision, score, raw_score, threshold,
         regions, image_sha256, image_format, image_width, image_height, image_bytes, image_blob, map_blob, map_width, map_height,
         timings, total_ms, client, part_id, lot, station, view, attributes, part_record_id, brightness, contrast, focus, saturation)
       VALUES (@id, @createdMs, @productId, @line, @camera, @modelVersionId, @decision, @score, @rawScore, @threshold,
         @regions, @imageSha, @imageFormat, @imageWidth, @imageHeight, @imageBytes, @imageBlob, @mapBlob, @mapWidth, @mapHeight,
         @timings, @totalMs, @client, @partId, @lot, @station, @view, @attributes, @partRecordId, @brightness, @contrast, @focus, @saturation)`,
    );
    this.touchBlob = db.prepare(
      `INSERT INTO blobs (sha256, bytes, created_ms, last_used_ms) VALUES (?, ?, ?, ?)
       ON CONFLICT (sha256) DO UPDATE SET last_used_ms = MAX(last_used_ms, excluded.last_used_ms)`,
    );
    this.byId = db.prepare(`${SELECT} WHERE i.id = ?`);
    this.byPartRecord = db.prepare(`${SELECT} WHERE i.part_record_id = ? ORDER BY i.created_ms, i.id`);
  }

  /**
   * Write the row, its file references and its outbox entries in one transaction (a savepoint
   * inside the caller's, when a part's pass is updated with it). The leases must still be held.
   */
  insert(inspection: NewInspection, files: { image: BlobLease; map: BlobLease }, partRecordId: number | null = null): void {
    const now = inspection.createdMs;
    this.db.transaction(() => {
      this.touchBlob.run(files.image.sha256, files.image.bytes, now, now);
      this.touchBlob.run(files.map.sha256, files.map.bytes, now, now);
      this.insertRow.run({
        id: inspection.id,
        createdMs: inspection.createdMs,
        productId: inspection.productId,
        line: inspection.line,
        camera: inspection.camera,
        modelVersionId: inspection.modelVersionId,
        decision: inspection.decision,
        score: inspection.score,
        rawScore: inspection.rawScore,
        threshold: inspection.threshold,
        regions: JSON.stringify(inspection.regions),
        imageSha: inspection.image.sha256,
        imageFormat: inspection.image.format,
        imageWidth: inspection.image.width,
        imageHeight: inspection.image.height,
        imageBytes: inspection.image.bytes,
        imageBlob: files.image.sha256,
        mapBlob: files.map.sha256,
        mapWidth: inspection.map.width,
        mapHeight: inspection.map.height,
        timings: JSON.stringify(inspection.timings),
        totalMs: inspection.timings.totalMs,
        client: JSON.stringify(inspection.client),
        partId: inspection.trace.partId,
        lot: inspection.trace.lot,
        station: inspection.trace.station,
        view: inspection.trace.view,
        attributes: Object.keys(inspection.trace.attributes).length ? JSON.stringify(inspection.trace.attributes) : null,
        partRecordId,
        brightness: inspection.quality?.brightness ?? null,
        contrast: inspection.quality?.contrast ?? null,
        focus: inspection.quality?.focus ?? null,
        saturation: inspection.quality?.saturation ?? null,
      });
      this.outbox?.enqueue(inspection);
    })();
  }

  /** The views of one pass of a part, oldest first. */
  ofPartRecord(partRecordId: number): InspectionRecord[] {
    return (this.byPartRecord.all(partRecordId) as Row[]).map(toRecord);
  }

  get(id: string): InspectionRecord | null {
    const row = this.byId.get(id) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  /**
   * Every inspection that matches `filter` and was logged before `snapshot` (see `snapshot`),
   * oldest first, a page at a time: an export walks a whole lot without holding it in memory, and
   * without keeping a statement open across the pauses between pages.
   */
  *pagesOldestFirst(filter: InspectionFilter, snapshot: number, pageSize = 200): Generator<InspectionRecord[]> {
    let after: CursorKey | null = null;
    for (;;) {
      const { sql, params } = oldestFirstQuery(filter, snapshot, pageSize, after);
      const rows = this.db.prepare(sql).all(params) as Row[];
      if (rows.length === 0) return;
      const page = rows.map(toRecord);
      yield page;
      if (rows.length < pageSize) return;
      const last = page[page.length - 1];
      after = { createdMs: last.createdMs, id: last.id };
    }
  }

  /**
   * The log as it is now, for `pagesOldestFirst`: rows are never deleted, so every row logged
   * later has a larger rowid, and several walks over one snapshot see the same rows.
   */
  snapshot(): number {
    return (this.db.prepare('SELECT COALESCE(MAX(rowid), 0) FROM inspections').pluck().get() as number);
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM inspections').get() as { n: number }).n;
  }

  list(filter: InspectionFilter, limit: number, after: CursorKey | null = null): InspectionPage {
    const { sql, params } = listQuery(filter, limit + 1, after);
    const rows = this.db.prepare(sql).all(params) as Row[];
    const items = rows.slice(0, limit).map(toRecord);
    const last = items.at(-1);
    return { items, next: rows.length > limit && last ? { createdMs: last.createdMs, id: last.id } : null };
  }
}

/** The list's query: at most `limit` rows after the cursor, newest first. Its own function for the query-plan tests. */
export function listQuery(filter: InspectionFilter, limit: number, after: CursorKey | null): { sql: string; params: Record<string, string | number> } {
  const { where, params } = filterClause(filter, 'i.');
  if (after) {
    where.push('(i.created_ms, i.id) < (@afterMs, @afterId)');
    params.afterMs = after.createdMs;
    params.afterId = after.id;
  }
  const sql = `${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY i.created_ms DESC, i.id DESC LIMIT @limit`;
  return { sql, params: { ...params, limit } };
}

/** A page of an export walk: at most `limit` rows after the cursor, oldest first, none logged after `snapshot`. Its own function for the query-plan tests. */
export function oldestFirstQuery(filter: InspectionFilter, snapshot: number, limit: number, after: CursorKey | null): { sql: string; params: Record<string, string | number> } {
  const { where, params } = filterClause(filter, 'i.');
  where.push('i.rowid <= @snapshot');
  if (after) {
    where.push('(i.created_ms, i.id) > (@afterMs, @afterId)');
    params.afterMs = after.createdMs;
    params.afterId = after.id;
  }
  return { sql: `${SELECT} WHERE ${where.join(' AND ')} ORDER BY i.created_ms, i.id LIMIT @limit`, params: { ...params, snapshot, limit } };
}

/** SQL conditions for a filter (column names are fixed here; every value is a bound parameter). */
export function filterClause(filter: InspectionFilter, alias = ''): { where: string[]; params: Record<string, string | number> } {
  const where: string[] = [];
  const params: Record<string, string | number> = {};
  const equal = (column: string, name: string, value: string | undefined) => {
    if (value === undefined) return;
    where.push(`${alias}${column} = @${name}`);
    params[name] = value;
  };
  equal('product_id', 'product', filter.product);
  equal('line', 'line', filter.line);
  equal('camera', 'camera', filter.camera);
  equal('part_id', 'part', filter.part);
  equal('lot', 'lot', filter.lot);
  equal('station', 'station', filter.station);
  equal('view', 'view', filter.view);
  equal('decision', 'decision', filter.decision);
  // the verdicts listed, not "<> 'unreviewed'": an inequality cannot search an index
  if (filter.review === 'reviewed') where.push(`${alias}review_state IN (${REVIEW_VERDICTS.map((verdict) => `'${verdict}'`).join(', ')})`);
  else equal('review_state', 'review', filter.review);
  const bound = (condition: string, name: string, value: number | undefined) => {
    if (value === undefined) return;
    where.push(`${alias}${condition} @${name}`);
    params[name] = value;
  };
  bound('score >=', 'minScore', filter.minScore);
  bound('score <=', 'maxScore', filter.maxScore);
  bound('created_ms >=', 'fromMs', filter.fromMs);
  bound('created_ms <', 'toMs', filter.toMs);
  return { where, params };
}
