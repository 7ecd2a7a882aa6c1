/**
 * BMP pixel arrays are unpacked on a worker thread. fast-bmp and the palette pass loop over every
 * sample in JavaScript (a 24-megapixel frame takes about 0.4 s on 2 cores), and on the event loop
 * that would stall every other request of the server meanwhile; a line whose cameras save BMP
 * would stall it with every frame. What stays here is one copy of the pixel array (canonicalBmp,
 * a memcpy: tens of milliseconds at most), which is then transferred, as the pixels are on the
 * way back.
 *
 * One thread per process, started on the first BMP, unpacks one image at a time; the others wait
 * in its message queue, as many as the callers admit (the server's inspection admission bounds
 * them). It keeps the process alive only while it has work, and a thread that died is replaced by
 * the next BMP.
 */
import type { Worker } from 'node:worker_threads';
import { siblingModule, startWorker } from '../util/worker-module.js';
import { canonicalBmp, checkBmpData, type BmpHeader, type BmpPixels } from './bmp.js';
import type { UnpackReply, UnpackRequest } from './bmp-worker.js';
import { ImageError } from './errors.js';

interface Pending {
  resolve(pixels: BmpPixels): void;
  reject(error: Error): void;
}

let thread: Worker | null = null;
const pending = new Map<number, Pending>();
let nextId = 1;

/**
 * Unpacks the pixels of a BMP whose header `readBmpHeader` accepted (check the pixel limit
 * between the two calls).
 */
export function decodeBmp(bytes: Uint8Array, header: BmpHeader): Promise<BmpPixels> {
  checkBmpData(bytes, header);
  const canonical = canonicalBmp(bytes, header);
  const worker = thread ?? start();
  if (pending.size === 0) worker.ref();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, canonical, header } satisfies UnpackRequest, [canonical.buffer as ArrayBuffer]);
  });
}

function start(): Worker {
  const worker = startWorker(siblingModule('bmp-worker', import.meta.url));
  worker.on('message', (reply: UnpackReply) => {
    const waiting = pending.get(reply.id);
    pending.delete(reply.id);
    if (pending.size === 0) worker.unref();
    if (reply.ok) waiting?.resolve(reply.pixels);
    else waiting?.reject(new ImageError('corrupt', `The BMP pixel data could not be decoded: ${reply.message}`));
  });
  worker.on('error', (error) => stopped(worker, error));
  worker.on('exit', (code) => stopped(worker, new Error(`it exited with code ${code}`)));
  thread = worker;
  return worker;
}

/** The images it held fail; the next BMP starts a new thread. */
function stopped(worker: Worker, reason: Error): void {
  if (thread !== worker) return;
  thread = null;
  for (const waiting of pending.values()) waiting.reject(new Error(`the BMP thread stopped: ${reason.message}`));
  pending.clear();
}
