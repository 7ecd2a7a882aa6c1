/**
 * API keys: "kensa_<prefix>_<secret>". Only the sha256 of the whole key is stored; the prefix is
 * the public handle (listings, logs, revocation). Keys carry 192 random bits, so a fast hash is
 * as safe as a slow one here: there is nothing to guess from it.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from './database.js';

/** Least to most privileged (see src/server/auth.ts for what each may do). */
export const ROLES = ['camera', 'qa', 'trainer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiKeyRecord {
  id: number;
  name: string;
  role: Role;
  prefix: string;
  createdMs: number;
  revokedMs: number | null;
}

interface Row {
  id: number;
  name: string;
  role: Role;
  prefix: string;
  created_ms: number;
  revoked_ms: number | null;
}

const toRecord = (row: Row): ApiKeyRecord => ({
  id: row.id,
  name: row.name,
  role: row.role,
  prefix: row.prefix,
  createdMs: row.created_ms,
  revokedMs: row.revoked_ms,
});

const KEY_PATTERN = /^kensa_[0-9a-f]{10}_[A-Za-z0-9_-]{32}$/;

const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

export class ApiKeyStore {
  constructor(private readonly db: Db) {}

  /** A new key; the returned `key` is the only time the secret exists outside the client. */
  create(role: Role, name: string, now = Date.now()): { key: string; record: ApiKeyRecord } {
    const prefix = randomBytes(5).toString('hex');
    const key = `kensa_${prefix}_${randomBytes(24).toString('base64url')}`;
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO api_keys (name, role, prefix, hash, created_ms) VALUES (?, ?, ?, ?, ?)')
      .run(name, role, prefix, hashKey(key), now);
    return { key, record: toRecord(this.db.prepare('SELECT * FROM api_keys WHERE id = ?').get(lastInsertRowid) as Row) };
  }

  /** The live key record for a presented key, or null (unknown, malformed or revoked). */
  authenticate(key: string): ApiKeyRecord | null {
    if (!KEY_PATTERN.test(key)) return null;
    const row = this.db.prepare('SELECT * FROM api_keys WHERE hash = ? AND revoked_ms IS NULL').get(hashKey(key)) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  /** A key by id, revoked or not. */
  get(id: number): ApiKeyRecord | null {
    const row = this.db.prepare('SELECT * FROM api_keys WHERE id = ?').get(id) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  list(): ApiKeyRecord[] {
    return (this.db.prepare('SELECT * FROM api_keys ORDER BY id').all() as Row[]).map(toRecord);
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM api_keys').get() as { n: number }).n;
  }

  /** True when a live key with this prefix was revoked. */
  revoke(prefix: string, now = Date.now()): boolean {
    return this.db.prepare('UPDATE api_keys SET revoked_ms = ? WHERE prefix = ? AND revoked_ms IS NULL').run(now, prefix).changes > 0;
  }
}
