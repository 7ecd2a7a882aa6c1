/**
 * What a browser or a proxy may keep: nothing behind a key (answers, problems, an inspection's
 * image, overlay and thumbnail), and every answer is read as the type it declares.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, greyPng, inspect, inspectionId, startTestServer, type TestServer } from './harness.js';

let server: TestServer;
let id: string;

beforeAll(async () => {
  server = await startTestServer();
  id = await inspectionId(server, await greyPng(64, 64, 128));
});
afterAll(() => server?.dispose());

function expectPrivate(response: Response, what: string): void {
  expect(response.headers.get('cache-control'), what).toBe('no-store');
  expect(response.headers.get('x-content-type-options'), what).toBe('nosniff');
}

describe('cache and content-type headers', () => {
  it('keeps answers, problems and an inspection\'s pictures out of every cache', async () => {
    const inspected = await inspect(server, await greyPng(64, 64, 100));
    expect(inspected.status).toBe(200);
    expectPrivate(inspected, 'inspect');
    for (const route of [`/api/v1/inspections/${id}`, `/api/v1/inspections/${id}/image`, `/api/v1/inspections/${id}/overlay`, `/api/v1/inspection-thumbnails/${id}`]) {
      const response = await get(server, route);
      expect(response.status, route).toBe(200);
      await response.arrayBuffer();
      expectPrivate(response, route);
    }
    const missing = await get(server, '/api/v1/inspections/no-such-id');
    expect(missing.status).toBe(400);
    expectPrivate(missing, 'a problem');
    const unauthorized = await get(server, `/api/v1/inspections/${id}/image`, null);
    expect(unauthorized.status).toBe(401);
    expectPrivate(unauthorized, 'no key');
  });
});
