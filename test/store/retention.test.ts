/** Retention: stored files go by age and by size, never under a legal hold, and no row ever points at a missing file. */
import { access, mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobStore } from '../../src/store/blob-store.js';
import { openDatabase, type Db } from '../../src/store/database.js';
import { newId } from '../../src/store/ids.js';
import { InspectionStore, NO_TRACEABILITY, type Traceability } from '../../src/store/inspections.js';
import { LegalHoldStore } from '../../src/store/legal-holds.js';
import { ModelRegistryStore } from '../../src/store/model-registry.js';
import { applyRetention } from '../../src/store/retention.js';
import { fixtureManifest } from '../helpers/fixture-model.js';

const DAY = 86_400_000;
let dir: string;
let db: Db;
let blobs: BlobStore;
let inspections: InspectionStore;
let versionId: number;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kensa-retention-'));
  db = openDatabase(path.join(dir, 'kensa.db'));
  blobs = new BlobStore(dir);
  inspections = new InspectionStore(db);
  versionId = new ModelRegistryStore(db).registerPackage({ dir, modelPath: '', manifest: fixtureManifest() }).id;
});
afterEach(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

/** An inspection whose image has `imageBytes` bytes (content `seed`), logged at `createdMs`. */
async function logInspection(seed: number, createdMs: number, imageBytes = 1000, trace: Traceability = NO_TRACEABILITY): Promise<string> {
  const image = await blobs.put(Buffer.alloc(imageBytes, seed));
  const map = await blobs.put(Buffer.from(`map ${seed}`));
  const id = newId(createdMs);
  inspections.insert(
    {
      id,
      createdMs,
      productId: 'widget',
      line: null,
      camera: null,
      trace,
      modelVersionId: versionId,
      decision: 'OK',
      score: 0.1,
      rawScore: 0.01,
      threshold: 0.25,
      regions: [],
      image: { sha256: image.sha256, format: 'png', width: 10, height: 10, bytes: imageBytes },
      map: { width: 4, height: 4 },
      timings: { receiveMs: 0, decodeMs: 1, queueMs: 0, inferenceMs: 1, storeMs: 0, totalMs: 2 },
      client: { apiKeyId: null, address: null, userAgent: null, requestId: `r${seed}` },
    },
    { image, map },
  );
  image.release();
  map.release();
  return id;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** 500-byte files derived from blob `sha256` (as rendered pictures are), last modified at `times`. */
async function writeRenders(sha256: string, times: number[]): Promise<string[]> {
  await mkdir(blobs.derivedDir(sha256), { recursive: true });
  const files = times.map((_, i) => path.join(blobs.derivedDir(sha256), `heatmap-${i}.png`));
  for (const [i, file] of files.entries()) {
    await writeFile(file, Buffer.alloc(500));
    await utimes(file, new Date(times[i]), new Date(times[i]));
  }
  return files;
}

/** Every file reference in the log points at a file on disk. */
async function assertNoDanglingRows(): Promise<void> {
  const refs = db.prepare('SELECT image_blob AS image, map_blob AS map FROM inspections').all() as { image: string | null; map: string | null }[];
  for (const { image, map } of refs) {
    for (const sha of [image, map]) if (sha) expect(await exists(blobs.pathOf(sha)), sha).toBe(true);
  }
}

describe('applyRetention', () => {
  it('removes files unused for longer than the maximum age and clears the rows that pointed to them', async () => {
    const now = Date.now();
    const old = await logInspection(1, now - 40 * DAY);
    const recent = await logInspection(2, now - DAY);
    const oldImage = inspections.get(old)!.image.sha256;
    await mkdir(blobs.derivedDir(inspections.get(old)!.mapBlob!), { recursive: true });

    const report = await applyRetention(db, blobs, { maxAgeMs: 30 * DAY, maxBytes: 1e12 }, now);
    expect(report.removedBlobs).toBe(2);
    expect(inspections.get(old)).toMatchObject({ imageBlob: null, mapBlob: null, image: { sha256: oldImage } });
    expect(inspections.get(recent)!.imageBlob).not.toBeNull();
    expect(await exists(blobs.pathOf(oldImage))).toBe(false);
    expect(await readdir(path.join(dir, 'derived'))).toEqual([]);
    expect(inspections.count()).toBe(2);
    await assertNoDanglingRows();
  });

  it('removes the least recently used files until the rest fit the byte budget', async () => {
    const now = Date.now();
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await logInspection(10 + i, now - (5 - i) * 1000, 1000));
    // budget for about two inspections (image 1000 bytes + map 6 bytes each)
    await applyRetention(db, blobs, { maxAgeMs: 365 * DAY, maxBytes: 2100 }, now);
    const stored = ids.map((id) => inspections.get(id)!.imageBlob !== null);
    expect(stored).toEqual([false, false, false, true, true]);
    const total = db.prepare('SELECT SUM(bytes) FROM blobs').pluck().get() as number;
    expect(total).toBeLessThanOrEqual(2100);
    await assertNoDanglingRows();
  });

  it('counts rendered pictures in the byte budget and deletes them, oldest first, before any stored file', async () => {
    const now = Date.now();
    const ids = [await logInspection(20, now - 2000), await logInspection(21, now - 1000)];
    // three 500-byte renders next to the first inspection's map, rendered 3, 2 and 1 minutes ago
    const renders = await writeRenders(inspections.get(ids[0])!.mapBlob!, [3, 2, 1].map((minutes) => now - minutes * 60_000));
    const stored = db.prepare('SELECT SUM(bytes) FROM blobs').pluck().get() as number;

    // the stored files fit, the renders do not all fit beside them: the two oldest renders go
    const report = await applyRetention(db, blobs, { maxAgeMs: 365 * DAY, maxBytes: stored + 600 }, now);
    expect(report).toMatchObject({ removedBlobs: 0, removedDerived: 2, freedBytes: 1000 });
    expect(await Promise.all(renders.map(exists))).toEqual([false, false, true]);
    expect(ids.map((id) => inspections.get(id)!.imageBlob !== null)).toEqual([true, true]);

    // the stored files alone are over the budget: the last render goes first, then the least recently used files
    const oneInspection = 1000 + Buffer.byteLength('map 20');
    const tight = await applyRetention(db, blobs, { maxAgeMs: 365 * DAY, maxBytes: stored - oneInspection }, now);
    expect(tight).toMatchObject({ removedBlobs: 2, removedDerived: 1, freedBytes: 500 + oneInspection });
    expect(ids.map((id) => inspections.get(id)!.imageBlob !== null)).toEqual([false, true]);
    await assertNoDanglingRows();
  });

  it('never removes the image, map or rendered pictures of an inspection under a legal hold, by lot or by part', async () => {
    const now = Date.now();
    const holds = new LegalHoldStore(db);
    const byLot = await logInspection(30, now - 40 * DAY, 1000, { ...NO_TRACEABILITY, lot: 'LOT-9' });
    const byPart = await logInspection(31, now - 40 * DAY, 1000, { ...NO_TRACEABILITY, partId: 'SN-4711', lot: 'LOT-1' });
    const free = await logInspection(32, now - 40 * DAY, 1000, { ...NO_TRACEABILITY, partId: 'SN-1', lot: 'LOT-1' });
    holds.place('lot', 'LOT-9', 'customer complaint 17', null);
    holds.place('part', 'SN-4711', 'returned part', null);
    const renders = await writeRenders(inspections.get(byLot)!.mapBlob!, [now - 50 * DAY, now - 49 * DAY]);

    // past the age limit and over a budget of nothing
    await applyRetention(db, blobs, { maxAgeMs: 30 * DAY, maxBytes: 0 }, now);
    const stored = (id: string) => inspections.get(id)!.imageBlob !== null && inspections.get(id)!.mapBlob !== null;
    expect([stored(byLot), stored(byPart), stored(free)]).toEqual([true, true, false]);
    for (const file of renders) expect(await exists(file), file).toBe(true);
    expect(inspections.get(byLot)!.legalHold).toBe(true);
    await assertNoDanglingRows();

    holds.release('lot', 'LOT-9');
    await applyRetention(db, blobs, { maxAgeMs: 30 * DAY, maxBytes: 0 }, now);
    expect([stored(byLot), stored(byPart)]).toEqual([false, true]);
    for (const file of renders) expect(await exists(file), file).toBe(false);
    await assertNoDanglingRows();
  });

  it('keeps a file another, newer inspection still uses', async () => {
    const now = Date.now();
    const first = await logInspection(7, now - 40 * DAY);
    const second = await logInspection(7, now); // the same image again: same blob, used recently
    await applyRetention(db, blobs, { maxAgeMs: 30 * DAY, maxBytes: 1e12 }, now);
    expect(inspections.get(first)!.imageBlob).toBe(inspections.get(second)!.imageBlob);
    await assertNoDanglingRows();
  });

  it('never deletes a file an inspection is writing right now', async () => {
    const now = Date.now();
    await logInspection(3, now - 40 * DAY);
    // an inspection in progress holds a lease on the same image while retention runs
    const lease = await blobs.put(Buffer.alloc(1000, 3));
    await applyRetention(db, blobs, { maxAgeMs: 30 * DAY, maxBytes: 0 }, now);
    expect(await exists(blobs.pathOf(lease.sha256))).toBe(true);
    lease.release();
    await assertNoDanglingRows();
  });

  it('writes and deletes of the same file never interleave', async () => {
    const now = Date.now();
    for (let round = 0; round < 20; round++) {
      await logInspection(round, now - 40 * DAY);
      // retention and a new inspection of the same image race
      await Promise.all([applyRetention(db, blobs, { maxAgeMs: 30 * DAY, maxBytes: 1e12 }, now), logInspection(round, now)]);
      await assertNoDanglingRows();
    }
  });

  it('sweeps files no row wants: left by a crash before the commit, and stale temporary files', async () => {
    const orphan = await blobs.put(Buffer.from('never committed'));
    orphan.release();
    const shard = path.dirname(blobs.pathOf(orphan.sha256));
    const temp = path.join(shard, `${orphan.sha256}.tmp-1-1`);
    await writeFile(temp, 'half');
    await utimes(temp, new Date(Date.now() - 2 * 3_600_000), new Date(Date.now() - 2 * 3_600_000));
    const kept = await logInspection(5, Date.now());

    const report = await applyRetention(db, blobs, { maxAgeMs: 30 * DAY, maxBytes: 1e12 });
    expect(report.removedOrphans).toBe(2);
    expect(await exists(blobs.pathOf(orphan.sha256))).toBe(false);
    expect(await exists(temp)).toBe(false);
    expect(await exists(blobs.pathOf(inspections.get(kept)!.imageBlob!))).toBe(true);
  });
});

describe('BlobStore', () => {
  it('names files by content hash and accepts no other names', async () => {
    const lease = await blobs.put(Buffer.from('hello'));
    expect(lease.sha256).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    expect(blobs.pathOf(lease.sha256)).toBe(path.join(dir, 'blobs', '2c', lease.sha256));
    expect(() => blobs.pathOf('../kensa.db')).toThrow(/not a sha256/);
    expect(() => blobs.derivedDir('2c/../../x')).toThrow(/not a sha256/);
    lease.release();
  });
});
