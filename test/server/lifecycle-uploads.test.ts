/**
 * Training requests that must be refused before a job exists, each with a clear problem: files
 * that are not images, too few images, empty, unsafe or oversized zips, the wrong content, the
 * wrong role, folders outside the allowed roots. And the folder source that is allowed.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticGoodParts, uploadJob, type JobJson, type UploadFile } from '../jobs/helpers.js';
import { writeZip } from '../jobs/zip-writer.js';
import { get, post, startTestServer, type TestServer } from './harness.js';

let server: TestServer;
let scratch: string;
let root: string;
let images: UploadFile[];
const QUERY = { product: 'flange', method: 'gaussian', inputSize: '64' };
const LIMIT_BYTES = 4 * 1024 * 1024;
const serverConfig = () => ({ maxTrainingUploadBytes: LIMIT_BYTES, maxTrainingImages: 40, trainingRoots: [root] });

interface Problem {
  type: string;
  title: string;
  detail: string;
}

async function refused(response: Response, status: number, code: string): Promise<Problem> {
  const body = (await response.json()) as Problem;
  expect(response.status, JSON.stringify(body)).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(body.type).toBe(`urn:kensa:problem:${code}`);
  return body;
}

const zipUpload = (entries: Parameters<typeof writeZip>[0]) => uploadJob(server, [{ name: 'set.zip', bytes: writeZip(entries) }], QUERY);

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'kensa-uploads-'));
  root = path.join(scratch, 'training-root');
  images = await syntheticGoodParts(path.join(scratch, 'flange'), 'flange', 3, 12);
  server = await startTestServer({ models: [], config: serverConfig() });
});
afterAll(async () => {
  await server?.dispose();
  await rm(scratch, { recursive: true, force: true });
});

describe('uploads that are refused', () => {
  it('names the files that are not images', async () => {
    const text = { name: 'notes.txt', bytes: new TextEncoder().encode('shift notes: camera 2 was cleaned') };
    const problem = await refused(await uploadJob(server, [...images, text], QUERY), 422, 'not-images');
    expect(problem.title).toBe('Some files are not readable images');
    expect(problem.detail).toMatch(/1 of 13 files.*notes\.txt/);
  });

  it('says how many images there are and how many training needs', async () => {
    const problem = await refused(await uploadJob(server, images.slice(0, 5), QUERY), 422, 'too-few-images');
    expect(problem.detail).toMatch(/5 readable images; training needs at least 10/);
  });

  it('refuses an empty zip, and one with nothing but folders and hidden files', async () => {
    await refused(await zipUpload([]), 422, 'empty-zip');
    const problem = await refused(await zipUpload([{ name: 'good/' }, { name: '__MACOSX/._a.png', data: images[0].bytes }, { name: 'good/.DS_Store', data: new Uint8Array(8) }]), 422, 'empty-zip');
    expect(problem.title).toBe('The zip archive is empty');
  });

  it('refuses zips whose entries escape their folder, and symbolic links', async () => {
    const planted = path.join(server.dataDir, 'escaped.png');
    for (const name of ['../../escaped.png', 'good/../../../escaped.png', '/tmp/escaped.png', 'good\\..\\..\\escaped.png']) {
      const problem = await refused(await zipUpload([...images.map((f) => ({ name: `good/${f.name}`, data: f.bytes })), { name, data: images[0].bytes }]), 422, 'unsafe-zip');
      expect(problem.detail).toMatch(/escaped\.png/);
    }
    await refused(await zipUpload([...images.map((f) => ({ name: f.name, data: f.bytes })), { name: 'link.png', data: new TextEncoder().encode('/etc/passwd'), mode: 0o120777 }]), 422, 'unsafe-zip');
    expect(existsSync(planted)).toBe(false);
    expect(existsSync(path.join(server.dataDir, '..', 'escaped.png'))).toBe(false);
  });

  it('refuses zip bombs: too many bytes declared or inflated, or too many entries', async () => {
    const zeros = new Uint8Array(LIMIT_BYTES + 1024);
    const declared = await refused(await zipUpload([{ name: 'bomb.bmp', data: zeros, deflate: true }]), 413, 'zip-too-large');
    expect(declared.detail).toMatch(/more than 4194304 bytes once extracted/);
    // Headers that understate the size are caught while inflating.
    const lying = await refused(await zipUpload([{ name: 'bomb.bmp', data: zeros, deflate: true, declaredSize: 100 }]), 422, 'invalid-zip');
    expect(lying.detail).toMatch(/bomb\.bmp is damaged \(too many bytes/);
    const many = Array.from({ length: 41 }, (_, i) => ({ name: `${i}.png`, data: images[0].bytes }));
    await refused(await zipUpload(many), 413, 'zip-too-large');
    // Each under the budget alone, together over it: the whole upload has one budget.
    const third = new Uint8Array(Math.floor(LIMIT_BYTES / 3) + 1024);
    const bombs = [0, 1, 2].map((i) => ({ name: `bomb-${i}.zip`, bytes: writeZip([{ name: 'bomb.bmp', data: third, deflate: true }]) }));
    const spread = await refused(await uploadJob(server, bombs, QUERY), 413, 'zip-too-large');
    expect(spread.detail).toMatch(/"bomb-2\.zip" has more than \d+ bytes once extracted/);
  });

  it('refuses a file, plain or in a zip, larger than any image the server inspects', async () => {
    server = await server.restart({ ...serverConfig(), maxUploadBytes: 1024 * 1024 });
    try {
      const huge = new Uint8Array(1024 * 1024 + 1);
      const plain = await refused(await uploadJob(server, [...images, { name: 'huge.png', bytes: huge }], QUERY), 413, 'file-too-large');
      expect(plain.detail).toMatch(/"huge\.png" has 1048577 bytes; an image may have at most 1048576/);
      const inZip = await refused(await zipUpload([{ name: 'huge.bmp', data: huge, deflate: true }]), 413, 'zip-too-large');
      expect(inZip.detail).toMatch(/"huge\.bmp" of 1048577 bytes, more than the 1048576 an image may have/);
    } finally {
      server = await server.restart(serverConfig());
    }
  });

  it('refuses oversized uploads, other content types, missing files, unknown fields and invalid options', async () => {
    // Refused by the declared length, and (spread over parts, with no length declared up front) while streaming.
    await refused(await uploadJob(server, [{ name: 'big.png', bytes: new Uint8Array(LIMIT_BYTES + 2 * 1024 * 1024) }], QUERY), 413, 'too-large');
    const parts = Array.from({ length: 5 }, (_, i) => ({ name: `${i}.png`, bytes: new Uint8Array(LIMIT_BYTES / 4) }));
    const streamed = await fetch(`${server.url}/api/v1/jobs?${new URLSearchParams(QUERY)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.keys.trainer}`, 'content-type': 'multipart/form-data; boundary=x' },
      body: new Blob([parts.map((p) => `--x\r\nContent-Disposition: form-data; name="images"; filename="${p.name}"\r\n\r\n${'\0'.repeat(p.bytes.length)}\r\n`).join('') + '--x--\r\n']).stream(),
      duplex: 'half',
    } as RequestInit);
    await refused(streamed, 413, 'too-large');
    const json = await fetch(`${server.url}/api/v1/jobs?product=flange`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.keys.trainer}`, 'content-type': 'application/json' },
      body: '{}',
    });
    await refused(json, 415, 'unsupported-media-type');
    const empty = new FormData();
    empty.append('note', 'nothing attached');
    await refused(await fetch(`${server.url}/api/v1/jobs?product=flange`, { method: 'POST', headers: { authorization: `Bearer ${server.keys.trainer}` }, body: empty }), 400, 'no-images');
    const wrongField = new FormData();
    wrongField.append('picture', new Blob([new Uint8Array(images[0].bytes)]), 'a.png');
    await refused(await fetch(`${server.url}/api/v1/jobs?product=flange`, { method: 'POST', headers: { authorization: `Bearer ${server.keys.trainer}` }, body: wrongField }), 400, 'unexpected-field');
    await refused(await uploadJob(server, images, { ...QUERY, method: 'magic' }), 400, 'invalid-request');
    await refused(await uploadJob(server, images, { ...QUERY, product: '../etc' }), 400, 'invalid-request');
    await refused(await uploadJob(server, images, QUERY, 'camera'), 403, 'forbidden');
  });

  it('left no job and no files behind', async () => {
    const jobs = (await (await get(server, '/api/v1/jobs')).json()) as { items: unknown[] };
    expect(jobs.items).toEqual([]);
    expect(await readdir(path.join(server.dataDir, 'jobs')).catch(() => [])).toEqual([]);
  });
});

describe('training from a server folder', () => {
  const fromFolder = (folder: string, extra: Record<string, unknown> = {}) => post(server, '/api/v1/jobs/from-folder', { product: 'flange', method: 'gaussian', inputSize: 64, folder, ...extra });

  it('refuses folders outside the allowed roots, relative paths, missing folders and files, and QA keys', async () => {
    await mkdir(path.join(root, 'good'), { recursive: true });
    await refused(await fromFolder(scratch), 403, 'folder-not-allowed');
    await refused(await fromFolder(path.join(root, 'good', '..', '..')), 403, 'folder-not-allowed');
    await refused(await fromFolder('training-root/good'), 400, 'relative-folder');
    await refused(await fromFolder(path.join(root, 'missing')), 422, 'folder-not-found');
    await writeFile(path.join(root, 'file.png'), images[0].bytes);
    await refused(await fromFolder(path.join(root, 'file.png')), 422, 'not-a-folder');
    await refused(await post(server, '/api/v1/jobs/from-folder', { product: 'flange', folder: path.join(root, 'good') }, 'qa'), 403, 'forbidden');
  });

  it('queues a job on the folder, warning about unreadable files and mixed sizes; a taken version is refused', async () => {
    const folder = path.join(root, 'good');
    for (const image of images) await writeFile(path.join(folder, image.name), image.bytes);
    await writeFile(path.join(folder, 'readme.txt'), 'not an image');
    await writeFile(path.join(folder, 'large.png'), await sharp(Buffer.from(await readFile(path.join(folder, images[0].name)))).resize(96, 96).png().toBuffer());
    const response = await fromFolder(folder, { version: 'from-folder-1' });
    const job = (await response.json()) as JobJson;
    expect(response.status, JSON.stringify(job)).toBe(202);
    expect(job.source).toMatchObject({ kind: 'folder', images: 13, goodSetImages: 0 });
    expect(job.warnings.join('\n')).toMatch(/readme\.txt/);
    expect(job.warnings.join('\n')).toMatch(/2 sizes: 128x128 \(12\), 96x96 \(1\)/);

    await refused(await fromFolder(folder, { version: 'from-folder-1' }), 409, 'version-exists');
    const cancelled = (await (await post(server, `/api/v1/jobs/${job.id}/cancel`, {}, 'admin')).json()) as JobJson;
    expect(cancelled.status).toBe('cancelled');
    // The folder itself is untouched: the job only linked its images.
    expect((await readdir(folder)).length).toBe(14);
  });
});

describe('the API description', () => {
  it('documents every training and lifecycle endpoint with its schemas and roles', async () => {
    const document = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, { description?: string; responses: Record<string, unknown>; requestBody?: unknown }>> };
    const expected: [string, string, string][] = [
      ['post', '/api/v1/jobs', 'trainer'],
      ['post', '/api/v1/jobs/from-folder', 'admin'],
      ['get', '/api/v1/jobs', 'qa'],
      ['get', '/api/v1/jobs/{id}', 'qa'],
      ['get', '/api/v1/jobs/{id}/events', 'qa'],
      ['post', '/api/v1/jobs/{id}/cancel', 'trainer'],
      ['get', '/api/v1/models/{product}/{version}/comparison', 'qa'],
      ['get', '/api/v1/products/{product}/shadow', 'qa'],
      ['post', '/api/v1/products/{product}/shadow', 'admin'],
      ['get', '/api/v1/models/{product}/{version}/shadow-results', 'qa'],
      ['get', '/api/v1/models/{product}/{version}/thresholds', 'qa'],
      ['post', '/api/v1/models/{product}/{version}/threshold', 'admin'],
      ['post', '/api/v1/inspections/{id}/good-set', 'trainer'],
      ['get', '/api/v1/products/{product}/good-set', 'qa'],
    ];
    for (const [method, route, role] of expected) {
      const operation = document.paths[route]?.[method];
      expect(operation, `${method} ${route}`).toBeDefined();
      expect(operation.description).toBe({ admin: 'Roles: admin.', trainer: 'Roles: trainer, admin.', qa: 'Roles: qa, trainer, admin.' }[role]);
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['401', '403', '500']));
    }
    expect(document.paths['/api/v1/models/{product}/{version}/activate'].post.requestBody).toBeDefined();
  });
});
