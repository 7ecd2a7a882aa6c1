/**
 * DELETE /api/v1/inspections/:id/good-set through the HTTP API: a trainer (or an admin) takes an
 * inspection out of its product's good set; its file goes with it, the audit says who, when and
 * why; a missing inspection is 404, one not in the good set 409, both as problem+json.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/store/api-keys.js';
import { get, greyPng, inspectionId, post, startTestServer, type TestServer } from './harness.js';

let server: TestServer;
/** Two inspections reviewed as OK and added to the good set, and one never added. */
let kept: string;
let taken: string;
let never: string;

interface Entry {
  inspectionId: string;
  file: string;
}

function remove(id: string, role: Role, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${server.keys[role]}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${server.url}/api/v1/inspections/${id}/good-set`, { method: 'DELETE', headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function add(id: string): Promise<Entry> {
  const response = await post(server, `/api/v1/inspections/${id}/good-set`, {}, 'trainer');
  expect(response.status).toBe(201);
  return response.json() as Promise<Entry>;
}

const goodSetDir = () => path.join(server.dataDir, 'good-sets', 'widget');

async function listed(): Promise<string[]> {
  const list = (await (await get(server, '/api/v1/products/widget/good-set')).json()) as { items: Entry[] };
  return list.items.map((item) => item.inspectionId);
}

async function problemOf(response: Response, status: number): Promise<{ type: string; title: string; detail: string }> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return (await response.json()) as { type: string; title: string; detail: string };
}

async function auditEntries(action: string) {
  const audit = (await (await get(server, '/api/v1/audit', 'admin')).json()) as { items: { action: string; target: string; actor: { name: string } | null; detail: Record<string, unknown> }[] };
  return audit.items.filter((entry) => entry.action === action);
}

beforeAll(async () => {
  server = await startTestServer();
  [kept, taken, never] = await Promise.all([100, 120, 140].map(async (level) => inspectionId(server, await greyPng(64, 64, level))));
  for (const id of [kept, taken]) {
    expect((await post(server, `/api/v1/inspections/${id}/review`, { verdict: 'ok' }, 'qa')).status).toBe(201);
    await add(id);
  }
});
afterAll(() => server?.dispose());

describe('DELETE /api/v1/inspections/:id/good-set', () => {
  it("is refused to a qa key: curating the good set is a trainer's", async () => {
    expect((await problemOf(await remove(taken, 'qa'), 403)).type).toBe('urn:kensa:problem:forbidden');
    expect(await listed()).toEqual([kept, taken]);
  });

  it('takes the entry and its file out for a trainer, and audits who did it and why', async () => {
    const file = `${taken}.png`;
    expect(existsSync(path.join(goodSetDir(), file))).toBe(true);

    const response = await remove(taken, 'trainer', { note: 'added by mistake: the flange is scratched' });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');

    expect(await listed()).toEqual([kept]);
    expect((await readdir(goodSetDir())).sort()).toEqual([`${kept}.png`]);
    const [entry, ...more] = await auditEntries('good-set.remove');
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      target: `widget/${taken}`,
      actor: { name: 'test trainer' },
      detail: { product: 'widget', inspection: taken, file, note: 'added by mistake: the flange is scratched' },
    });
  });

  it('answers 404 for an inspection that does not exist, and 409 for one not in the good set', async () => {
    const missing = await problemOf(await remove('01ARZ3NDEKTSV4RRFFQ69G5FAV', 'trainer'), 404);
    expect(missing).toMatchObject({ type: 'urn:kensa:problem:not-found', detail: 'There is no inspection 01ARZ3NDEKTSV4RRFFQ69G5FAV.' });

    for (const id of [taken, never]) {
      const problem = await problemOf(await remove(id, 'admin'), 409);
      expect(problem).toMatchObject({ type: 'urn:kensa:problem:not-in-good-set', title: 'The inspection is not in the good set' });
      expect(problem.detail).toContain(id);
    }
    expect(await auditEntries('good-set.remove')).toHaveLength(1);
  });

  it('lets an inspection taken out be added again', async () => {
    const entry = await add(taken);
    expect(existsSync(path.join(goodSetDir(), entry.file))).toBe(true);
    expect(await listed()).toEqual([kept, taken]);
  });

  it('removes once when asked several times at once, and keeps entry and file together when adds race removals', async () => {
    const responses = await Promise.all(Array.from({ length: 4 }, () => remove(taken, 'trainer')));
    expect(responses.map((response) => response.status).sort()).toEqual([204, 409, 409, 409]);
    expect(await auditEntries('good-set.remove')).toHaveLength(2);

    const racing = await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? post(server, `/api/v1/inspections/${taken}/good-set`, {}, 'trainer') : remove(taken, 'trainer'))),
    );
    expect(racing.every((response) => [201, 204, 409].includes(response.status))).toBe(true);
    const inList = (await listed()).includes(taken);
    expect(existsSync(path.join(goodSetDir(), `${taken}.png`))).toBe(inList);
    expect((await readdir(goodSetDir())).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });

  it('is documented for trainers, with its optional note', async () => {
    const document = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { description: string; responses: Record<string, unknown>; requestBody: { required: boolean } }>>;
    };
    const operation = document.paths['/api/v1/inspections/{id}/good-set'].delete;
    expect(operation.description).toBe('Roles: trainer, admin.');
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['204', '403', '404', '409']));
    expect(operation.requestBody.required).toBe(false);
  });
});
