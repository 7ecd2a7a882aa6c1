/**
 * A selection of the inspection log as CSV and as JSON, produced a page at a time: each page is
 * read from SQLite when the previous one has been taken (a slow client slows the export, it does
 * not fill memory), with a turn of the event loop in between, so cameras are answered while a
 * whole lot is exported.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { InspectionRecord } from '../../store/inspections.js';
import { inspectionJson } from '../inspection-json.js';
import { csvRow, type CsvCell } from './csv.js';

/** The CSV's columns: a flat row per inspection, for spreadsheets and audits. */
const COLUMNS: readonly [string, (record: InspectionRecord) => CsvCell][] = [
  ['id', (r) => r.id],
  ['created_at', (r) => new Date(r.createdMs).toISOString()],
  ['product', (r) => r.productId],
  ['line', (r) => r.line],
  ['camera', (r) => r.camera],
  ['part', (r) => r.trace.partId],
  ['lot', (r) => r.trace.lot],
  ['station', (r) => r.trace.station],
  ['view', (r) => r.trace.view],
  ['attributes', (r) => (Object.keys(r.trace.attributes).length ? JSON.stringify(r.trace.attributes) : null)],
  ['part_product', (r) => r.partRecord?.productId ?? null],
  ['part_pass', (r) => r.partRecord?.pass ?? null],
  ['model_version', (r) => r.modelVersion],
  ['decision', (r) => r.decision],
  ['score', (r) => r.score],
  ['raw_score', (r) => r.rawScore],
  ['threshold', (r) => r.threshold],
  ['regions', (r) => r.regions.length],
  ['review_state', (r) => r.reviewState],
  ['legal_hold', (r) => r.legalHold],
  ['image_sha256', (r) => r.image.sha256],
  ['image_format', (r) => r.image.format],
  ['image_width', (r) => r.image.width],
  ['image_height', (r) => r.image.height],
  ['image_stored', (r) => r.imageBlob !== null],
  ['map_stored', (r) => r.mapBlob !== null],
];

export async function* csvChunks(pages: Iterable<InspectionRecord[]>): AsyncGenerator<string> {
  yield csvRow(COLUMNS.map(([name]) => name));
  for (const page of pages) {
    yield page.map((record) => csvRow(COLUMNS.map(([, value]) => value(record)))).join('');
    await yieldToEventLoop();
  }
}

/** What an export says about itself, before its items. */
export interface ExportHeader {
  exportedAt: string;
  selection: Record<string, string>;
}

/** `{ "exportedAt", "selection", "items": [inspection, ...] }`, each inspection as the API shows it. */
export async function* jsonChunks(pages: Iterable<InspectionRecord[]>, header: ExportHeader): AsyncGenerator<string> {
  yield `${JSON.stringify(header).slice(0, -1)},"items":[`;
  let separator = '';
  for (const page of pages) {
    if (page.length === 0) continue;
    yield separator + page.map((record) => JSON.stringify(inspectionJson(record))).join(',');
    separator = ',';
    await yieldToEventLoop();
  }
  yield ']}\n';
}
