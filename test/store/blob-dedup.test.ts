/** Puts of the same bytes share one check or write, and a file stays on disk exactly while a lease on it lives. */
import { access, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobStore } from '../../src/store/blob-store.js';

let dir: string;
beforeEach(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'kensa-blob-dedup-'))));
afterEach(() => rm(dir, { recursive: true, force: true }));

const onDisk = (file: string) => access(file).then(() => true, () => false);

describe('BlobStore puts of the same bytes', () => {
  it('all get a lease on the one file, which is removable once every lease is released', async () => {
    const blobs = new BlobStore(dir);
    const bytes = Buffer.from('the same map, eight times');
    const leases = await Promise.all(Array.from({ length: 8 }, () => blobs.put(bytes)));
    expect(new Set(leases.map((lease) => lease.sha256)).size).toBe(1);
    const file = blobs.pathOf(leases[0].sha256);
    expect(await onDisk(file)).toBe(true);

    leases.slice(0, 7).forEach((lease) => lease.release());
    expect(await blobs.remove(leases[0].sha256, () => false)).toBe(false);
    // a put while one lease lives finds the file without touching the disk
    const again = await blobs.put(bytes);
    leases[7].release();
    expect(await blobs.remove(again.sha256, () => false)).toBe(false);
    again.release();
    expect(await blobs.remove(again.sha256, () => false)).toBe(true);
    expect(await onDisk(file)).toBe(false);

    // nothing remembers the removed file as present: the next put writes it again
    const rewritten = await blobs.put(bytes);
    expect(await onDisk(file)).toBe(true);
    rewritten.release();
  });
});
