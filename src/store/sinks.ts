/**
 * Result sinks: where the inspections of a product (optionally of one line and camera) are sent,
 * and which of them (NG only, all, or NG and a sampled share of OK). The kind's settings are kept
 * as JSON, secrets included; they are checked by the kind's own schema (src/outbox/sinks) and never
 * shown back by the API.
 */
import type { Db } from './database.js';

export const SINK_FILTERS = ['ng', 'all', 'sample'] as const;
export type SinkFilter = (typeof SINK_FILTERS)[number];

export interface SinkDefinition {
  name: string;
  productId: string;
  /** Null: every line (camera). */
  line: string | null;
  camera: string | null;
  kind: string;
  filter: SinkFilter;
  /** With filter 'sample': the share of OK inspections sent (NG ones are all sent). */
  okShare: number;
  withOverlay: boolean;
  /** An entry still failing this long after its inspection becomes a dead letter. */
  deadLetterAfterMs: number;
  settings: Record<string, unknown>;
}

export interface SinkRecord extends SinkDefinition {
  id: number;
  createdMs: number;
  updatedMs: number;
}

interface Row {
  id: number;
  name: string;
  product_id: string;
  line: string | null;
  camera: string | null;
  kind: string;
  filter: SinkFilter;
  ok_share: number;
  with_overlay: 0 | 1;
  dead_letter_after_ms: number;
  settings: string;
  created_ms: number;
  updated_ms: number;
}

const toRecord = (row: Row): SinkRecord => ({
  id: row.id,
  name: row.name,
  productId: row.product_id,
  line: row.line,
  camera: row.camera,
  kind: row.kind,
  filter: row.filter,
  okShare: row.ok_share,
  withOverlay: row.with_overlay === 1,
  deadLetterAfterMs: row.dead_letter_after_ms,
  settings: JSON.parse(row.settings) as Record<string, unknown>,
  createdMs: row.created_ms,
  updatedMs: row.updated_ms,
});

const columns = (sink: SinkDefinition) => ({
  name: sink.name,
  productId: sink.productId,
  line: sink.line,
  camera: sink.camera,
  kind: sink.kind,
  filter: sink.filter,
  okShare: sink.okShare,
  withOverlay: sink.withOverlay ? 1 : 0,
  deadLetterAfterMs: sink.deadLetterAfterMs,
  settings: JSON.stringify(sink.settings),
});

export class SinkStore {
  constructor(private readonly db: Db) {}

  /** Null when the name is taken. */
  create(sink: SinkDefinition, now = Date.now()): SinkRecord | null {
    const row = this.db
      .prepare(
        `INSERT INTO sinks (name, product_id, line, camera, kind, filter, ok_share, with_overlay, dead_letter_after_ms, settings, created_ms, updated_ms)
         VALUES (@name, @productId, @line, @camera, @kind, @filter, @okShare, @withOverlay, @deadLetterAfterMs, @settings, @now, @now)
         ON CONFLICT (name) DO NOTHING RETURNING *`,
      )
      .get({ ...columns(sink), now }) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  /** Null when there is no such sink (or the new name is another sink's). */
  replace(id: number, sink: SinkDefinition, now = Date.now()): SinkRecord | null {
    const row = this.db
      .prepare(
        `UPDATE OR IGNORE sinks SET name = @name, product_id = @productId, line = @line, camera = @camera, kind = @kind, filter = @filter,
           ok_share = @okShare, with_overlay = @withOverlay, dead_letter_after_ms = @deadLetterAfterMs, settings = @settings, updated_ms = @now
         WHERE id = @id RETURNING *`,
      )
      .get({ ...columns(sink), id, now }) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  /** Removes the sink and its outbox entries; null when there was none. */
  remove(id: number): SinkRecord | null {
    const row = this.db.prepare('DELETE FROM sinks WHERE id = ? RETURNING *').get(id) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  get(id: number): SinkRecord | null {
    const row = this.db.prepare('SELECT * FROM sinks WHERE id = ?').get(id) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  list(): SinkRecord[] {
    return (this.db.prepare('SELECT * FROM sinks ORDER BY id').all() as Row[]).map(toRecord);
  }
}
