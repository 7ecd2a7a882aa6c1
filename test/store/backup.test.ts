/**
 * `kensa backup` of a live server: taken while cameras post, the copy is a consistent database
 * whose rows all have their images and maps, it serves as a data folder of its own, and a second
 * backup into the same folder copies only what is new.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServerConfig } from '../../src/server/config.js';
import { createLogger } from '../../src/server/logger.js';
import { startServer } from '../../src/server/server.js';
import { backupServerData } from '../../src/store/backup.js';
import { BlobStore } from '../../src/store/blob-store.js';
import { databasePath, openDatabase } from '../../src/store/database.js';
import { greyPng, inspectionId, startTestServer, type TestServer } from '../server/harness.js';

let server: TestServer;
let destination: string;
beforeAll(async () => {
  server = await startTestServer();
  destination = await mkdtemp(path.join(os.tmpdir(), 'kensa-backup-'));
});
afterAll(async () => {
  await server?.dispose();
  await rm(destination, { recursive: true, force: true });
});

interface Row {
  id: string;
  image_blob: string | null;
  map_blob: string | null;
}

describe('kensa backup', () => {
  it('copies a live server consistently, serves as a data folder, and copies only what is new the next time', async () => {
    const before: string[] = [];
    for (let level = 0; level < 5; level++) before.push(await inspectionId(server, await greyPng(64, 64, 40 * level)));

    // Cameras keep posting while the backup runs.
    let posting = true;
    const during = (async () => {
      for (let level = 0; posting; level = (level + 1) % 256) await inspectionId(server, await greyPng(64, 64, level, { x: 8, y: 8, size: 8 }));
    })();
    const first = await backupServerData(server, destination);
    posting = false;
    await during;

    const copy = openDatabase(databasePath(path.join(destination, 'data')));
    const rows = copy.prepare('SELECT id, image_blob, map_blob FROM inspections').all() as Row[];
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    copy.close();
    const ids = new Set(rows.map((row) => row.id));
    for (const id of before) expect(ids.has(id), id).toBe(true);
    const blobs = new BlobStore(path.join(destination, 'data'));
    for (const row of rows) {
      expect(await blobs.read(row.image_blob!), `image of ${row.id}`).not.toBeNull();
      expect(await blobs.read(row.map_blob!), `map of ${row.id}`).not.toBeNull();
    }
    expect(first.blobsMissing).toBe(0);
    expect(first.filesCopied).toBeGreaterThanOrEqual(2 * before.length);

    // Restoring is serving from the backup: the same keys, inspections and images.
    const restored = await startServer(
      loadServerConfig({ port: 0, host: '127.0.0.1', threads: 1, demo: false, dataDir: path.join(destination, 'data'), modelsDir: path.join(destination, 'models') }, {}),
      { logger: createLogger('silent') },
    );
    try {
      const response = await fetch(`${restored.url}/api/v1/inspections/${before[0]}/image`, { headers: { authorization: `Bearer ${server.keys.qa}` } });
      expect(response.status).toBe(200);
      const inspected = await fetch(`${restored.url}/api/v1/inspect?product=widget`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.keys.camera}`, 'content-type': 'image/png' },
        body: new Uint8Array(await greyPng(64, 64, 128)),
      });
      expect(inspected.status, await inspected.clone().text()).toBe(200);
    } finally {
      await restored.close();
    }

    // The next backup into the same folder keeps what is there.
    await inspectionId(server, await greyPng(64, 64, 7, { x: 20, y: 20, size: 10 }));
    const second = await backupServerData(server, destination);
    expect(second.filesKept).toBeGreaterThanOrEqual(first.filesCopied);
    expect(second.filesCopied).toBeLessThan(first.filesCopied);
  });
});
