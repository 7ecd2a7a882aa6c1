/**
 * Adding an inspection to the good set and taking it out, when both happen at once: each waits for
 * the other, so an entry and its file always come and go together. Real SQLite and files, beside
 * a real server that made and reviewed the inspection.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addToGoodSet, removeFromGoodSet } from '../../src/jobs/good-set.js';
import { JobFiles } from '../../src/jobs/job-files.js';
import { BlobStore } from '../../src/store/blob-store.js';
import { databasePath, openDatabase, type Db } from '../../src/store/database.js';
import { GoodSetStore, type GoodSetImage } from '../../src/store/good-set.js';
import { InspectionStore, type InspectionRecord } from '../../src/store/inspections.js';
import { greyPng, inspectionId, post, startTestServer, type TestServer } from '../server/harness.js';

let server: TestServer;
let db: Db;
let inspection: InspectionRecord;
let deps: { db: Db; blobs: BlobStore; files: JobFiles; store: GoodSetStore };
const audited: GoodSetImage[] = [];

beforeAll(async () => {
  server = await startTestServer();
  const id = await inspectionId(server, await greyPng(64, 64, 90));
  expect((await post(server, `/api/v1/inspections/${id}/review`, { verdict: 'false_alarm' }, 'qa')).status).toBe(201);
  db = openDatabase(databasePath(server.dataDir));
  inspection = new InspectionStore(db).get(id) as InspectionRecord;
  deps = { db, blobs: new BlobStore(server.dataDir), files: new JobFiles(server.dataDir, server.modelsDir), store: new GoodSetStore(db) };
});
afterAll(async () => {
  db?.close();
  await server?.dispose();
});

const add = () => addToGoodSet(inspection, inspection.imageBlob as string, deps, null);
const remove = () => removeFromGoodSet(inspection.id, deps, (image) => audited.push(image));
const fileThere = (image: GoodSetImage) => existsSync(path.join(deps.files.goodSetDir(image.productId), image.file));

describe('the good set, added to and taken from at once', () => {
  it('a removal that comes while the image is being copied in waits for the copy, then takes it out', async () => {
    const adding = add();
    const removed = await remove();
    const { image, added } = await adding;
    expect(added).toBe(true);
    expect(removed).toMatchObject({ inspectionId: inspection.id, file: image.file });
    expect(audited).toHaveLength(1);
    expect(deps.store.byInspection(inspection.id)).toBeNull();
    expect(fileThere(image)).toBe(false);
  });

  it('an add that comes while the file is being removed waits for the removal, then copies the image back', async () => {
    await add();
    const removing = remove();
    const { image, added } = await add();
    expect(await removing).not.toBeNull();
    expect(added).toBe(true);
    expect(deps.store.byInspection(inspection.id)).toMatchObject({ file: image.file });
    expect(fileThere(image)).toBe(true);
  });
});
