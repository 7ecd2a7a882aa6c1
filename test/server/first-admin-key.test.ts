/** The first start's admin key is handed over in a 0600 file in the data folder, never overwritten. */
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadServerConfig } from '../../src/server/config.js';
import { createLogger } from '../../src/server/logger.js';
import { startServer } from '../../src/server/server.js';
import { ApiKeyStore } from '../../src/store/api-keys.js';
import { databasePath, openDatabase } from '../../src/store/database.js';
import { startTestServer } from './harness.js';

const scratch = await mkdtemp(path.join(os.tmpdir(), 'kensa-first-key-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('the first admin key', () => {
  it('is written to <dataDir>/first-admin-key, readable by its owner only, and works', async () => {
    const server = await startTestServer();
    try {
      const file = path.join(server.dataDir, 'first-admin-key');
      expect(server.server.firstAdminKeyFile).toBe(file);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const key = (await readFile(file, 'utf8')).trim();
      const audit = await fetch(`${server.url}/api/v1/audit`, { headers: { authorization: `Bearer ${key}` } });
      expect(audit.status).toBe(200);
    } finally {
      await server.dispose();
    }
  });

  it('never overwrites a key file left from an earlier database, and then creates no key', async () => {
    const dataDir = path.join(scratch, 'data');
    const file = path.join(dataDir, 'first-admin-key');
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, 'kensa_0123456789_from-an-earlier-database\n');
    const config = loadServerConfig({ port: 0, host: '127.0.0.1', threads: 1, demo: false, dataDir, modelsDir: path.join(scratch, 'models') }, {});

    await expect(startServer(config, { logger: createLogger('silent') })).rejects.toThrow(`${file} exists, but the database has no keys`);
    expect(await readFile(file, 'utf8')).toBe('kensa_0123456789_from-an-earlier-database\n');
    const db = openDatabase(databasePath(dataDir));
    expect(new ApiKeyStore(db).count()).toBe(0);
    db.close();
  });
});
