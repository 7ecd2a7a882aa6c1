/**
 * The admin key a database without keys gets on its first start. It is handed over in a file
 * that only the server's user can read, never in the output: logs are collected, forwarded and
 * kept where a key must not be.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ApiKeyStore } from '../store/api-keys.js';
import type { Db } from '../store/database.js';

export const firstAdminKeyFile = (dataDir: string) => path.join(dataDir, 'first-admin-key');

/**
 * Creates the key and writes it to `firstAdminKeyFile(dataDir)` (mode 0600) when there are no keys
 * yet; returns the file, or null when keys exist. The file is created exclusively: one left from
 * an earlier database is never overwritten, the start fails instead and no key is created.
 */
export function createFirstAdminKey(db: Db, keys: ApiKeyStore, dataDir: string): string | null {
  const file = firstAdminKeyFile(dataDir);
  return db.transaction(() => {
    if (keys.count() > 0) return null;
    const { key } = keys.create('admin', 'first admin key (created on first start)');
    try {
      writeFileSync(file, `${key}\n`, { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      throw new Error(`${file} exists, but the database has no keys: it holds a key of an earlier database. Move it away and start again.`, { cause: error });
    }
    return file;
  })();
}
