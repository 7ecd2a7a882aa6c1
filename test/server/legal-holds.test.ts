/**
 * Legal holds through the API: admins place and release them (audited), QA sees them, and the
 * server's own retention pass keeps a held part's image and overlay while it removes the rest,
 * until the hold is released.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, greyPng, inspectionId, post, startTestServer, type TestServer } from './harness.js';

let server: TestServer;
let held: string;
let heldInLot: string;
let free: string;

beforeAll(async () => {
  server = await startTestServer();
  held = await inspectionId(server, await greyPng(60, 40, 255), { params: { part: 'SN-4711', lot: 'LOT-3' } });
  heldInLot = await inspectionId(server, await greyPng(61, 40, 128), { params: { part: 'SN-4712', lot: 'LOT-9' } });
  free = await inspectionId(server, await greyPng(62, 40, 128), { params: { part: 'SN-4713', lot: 'LOT-3' } });
});
afterAll(() => server?.dispose());

const holdOf = (body: Record<string, unknown>, role: 'admin' | 'qa' = 'admin') => post(server, '/api/v1/legal-holds', body, role);
const imageStatus = async (id: string) => (await get(server, `/api/v1/inspections/${id}/image`)).status;

/** Restarts with a byte budget nothing fits in; the start's retention pass runs until the free inspection's image is gone. */
async function restartWithRetention(gone: string): Promise<void> {
  server = await server.restart({ retentionMaxBytes: 0 });
  const deadline = Date.now() + 20_000;
  while ((await imageStatus(gone)) !== 410) {
    if (Date.now() > deadline) throw new Error('retention did not run');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('legal holds', () => {
  it('are placed by admins only, audited, listed for QA, and shown on the inspections they cover', async () => {
    expect((await holdOf({ kind: 'part', value: 'SN-4711', held: true, reason: 'returned by customer' }, 'qa')).status).toBe(403);
    const placed = await holdOf({ kind: 'part', value: 'SN-4711', held: true, reason: 'returned by customer' });
    expect(placed.status).toBe(200);
    expect(await placed.json()).toMatchObject({ kind: 'part', value: 'SN-4711', held: true, reason: 'returned by customer', placedBy: expect.any(String) });
    expect((await holdOf({ kind: 'lot', value: 'LOT-9', held: true, reason: 'recall 2025-03' })).status).toBe(200);
    // placing it again changes nothing and is not audited again
    expect((await holdOf({ kind: 'lot', value: 'LOT-9', held: true, reason: 'again' })).status).toBe(200);

    const list = (await (await get(server, '/api/v1/legal-holds')).json()) as { items: { kind: string; value: string; reason: string }[] };
    expect(list.items.map((hold) => `${hold.kind}:${hold.value}:${hold.reason}`).sort()).toEqual(['lot:LOT-9:recall 2025-03', 'part:SN-4711:returned by customer']);
    const audit = (await (await get(server, '/api/v1/audit?limit=10', 'admin')).json()) as { items: { action: string; target: string }[] };
    expect(audit.items.filter((entry) => entry.action.startsWith('legal-hold')).map((entry) => `${entry.action} ${entry.target}`)).toEqual([
      'legal-hold.place lot:LOT-9',
      'legal-hold.place part:SN-4711',
    ]);

    const legalHold = async (id: string) => ((await (await get(server, `/api/v1/inspections/${id}`)).json()) as { legalHold: boolean }).legalHold;
    expect([await legalHold(held), await legalHold(heldInLot), await legalHold(free)]).toEqual([true, true, false]);
    expect((await holdOf({ kind: 'batch', value: 'x', held: true, reason: 'r' })).status).toBe(400);
  });

  it("keep a held part's image and overlay through retention, which removes the rest", async () => {
    await restartWithRetention(free);
    expect(await imageStatus(held)).toBe(200);
    expect(await imageStatus(heldInLot)).toBe(200);
    const overlay = await get(server, `/api/v1/inspections/${held}/overlay`);
    expect(overlay.status).toBe(200);
    expect(overlay.headers.get('content-type')).toBe('image/png');
  });

  it('let retention remove the files once released', async () => {
    const released = await holdOf({ kind: 'part', value: 'SN-4711', held: false, reason: 'complaint closed' });
    expect(await released.json()).toMatchObject({ kind: 'part', value: 'SN-4711', held: false });
    const audit = (await (await get(server, '/api/v1/audit?limit=1', 'admin')).json()) as { items: { action: string; detail: Record<string, unknown> }[] };
    expect(audit.items[0]).toMatchObject({ action: 'legal-hold.release', detail: { reason: 'complaint closed', placedReason: 'returned by customer' } });
    await restartWithRetention(held);
    expect(await imageStatus(heldInLot)).toBe(200);
  });
});
