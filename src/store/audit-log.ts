/** Who changed what: model activations, rollbacks and other administrative actions. */
import type { Db } from './database.js';

export interface AuditEntry {
  id: number;
  atMs: number;
  actorKeyId: number | null;
  action: string;
  target: string;
  detail: Record<string, unknown>;
}

interface Row {
  id: number;
  at_ms: number;
  actor_key_id: number | null;
  action: string;
  target: string;
  detail: string;
}

export class AuditLog {
  constructor(private readonly db: Db) {}

  record(entry: Omit<AuditEntry, 'id' | 'atMs'>, now = Date.now()): void {
    this.db
      .prepare('INSERT INTO audit_log (at_ms, actor_key_id, action, target, detail) VALUES (?, ?, ?, ?, ?)')
      .run(now, entry.actorKeyId, entry.action, entry.target, JSON.stringify(entry.detail));
  }

  /** Newest first, `limit` entries older than id `before` (all when null). */
  list(limit: number, before: number | null = null): AuditEntry[] {
    const rows = this.db
      .prepare('SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?')
      .all(before ?? Number.MAX_SAFE_INTEGER, limit) as Row[];
    return rows.map((row) => ({
      id: row.id,
      atMs: row.at_ms,
      actorKeyId: row.actor_key_id,
      action: row.action,
      target: row.target,
      detail: JSON.parse(row.detail) as Record<string, unknown>,
    }));
  }
}
