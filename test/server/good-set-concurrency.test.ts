/** Adding one reviewed inspection to the good set from several requests at once: one copy, one audit entry. */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, greyPng, inspectionId, post, startTestServer, type TestServer } from './harness.js';

let server: TestServer;
let id: string;

beforeAll(async () => {
  server = await startTestServer();
  id = await inspectionId(server, await greyPng(64, 64, 128));
  expect((await post(server, `/api/v1/inspections/${id}/review`, { verdict: 'ok' }, 'qa')).status).toBe(201);
});
afterAll(() => server?.dispose());

describe('POST /api/v1/inspections/:id/good-set, concurrently', () => {
  it('answers every request with the same entry and records the audit once', async () => {
    const responses = await Promise.all(Array.from({ length: 6 }, () => post(server, `/api/v1/inspections/${id}/good-set`, {}, 'trainer')));
    const entries = await Promise.all(responses.map((r) => r.json() as Promise<{ file: string; inspectionId: string }>));
    expect(responses.map((r) => r.status)).toEqual(Array(6).fill(201));
    expect(new Set(entries.map((e) => e.file)).size).toBe(1);
    const dir = path.join(server.dataDir, 'good-sets', 'widget');
    expect(existsSync(path.join(dir, entries[0].file))).toBe(true);
    expect(await readdir(dir)).toEqual([entries[0].file]); // no temporary copy left behind

    const audit = (await (await get(server, '/api/v1/audit', 'admin')).json()) as { items: { action: string }[] };
    expect(audit.items.filter((e) => e.action === 'good-set.add')).toHaveLength(1);
  });
});
