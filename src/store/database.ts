/**
 * The kensa SQLite database (better-sqlite3): opened with WAL (readers never block the writer,
 * and a commit is one sequential append) flushed to disk before it returns, a busy timeout (the CLI
 * may write while the server runs), foreign keys on, and migrated to the latest schema before anything else touches it.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations.js';

export type Db = Database.Database;

export const DATABASE_FILE = 'kensa.db';

export function databasePath(dataDir: string): string {
  return path.join(dataDir, DATABASE_FILE);
}

export function openDatabase(file: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    // FULL: the WAL is flushed at every commit, so an inspection that was answered survives a
    // power cut too (NORMAL can lose the last commits then).
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: Db, migrations: readonly Migration[]): void {
  const latest = migrations.at(-1)?.version ?? 0;
  for (const migration of migrations) {
    // Enforcement can only be switched outside a transaction.
    if (migration.rebuildsReferencedTable) db.pragma('foreign_keys = OFF');
    try {
      // The version is read inside the write transaction: two processes opening a new database at
      // once apply each migration exactly once.
      db.transaction(() => {
        const current = schemaVersion(db);
        if (current > latest) {
          throw new Error(`${db.name} has schema version ${current}, newer than this kensa knows (${latest}); upgrade kensa`);
        }
        if (migration.version <= current) return;
        db.exec(migration.sql);
        if (migration.rebuildsReferencedTable && (db.pragma('foreign_key_check') as unknown[]).length > 0) {
          throw new Error(`migration ${migration.version} (${migration.name}) would leave broken references`);
        }
        db.pragma(`user_version = ${migration.version}`);
      }).immediate();
    } finally {
      if (migration.rebuildsReferencedTable) db.pragma('foreign_keys = ON');
    }
  }
}
