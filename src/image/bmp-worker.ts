/**
 * The BMP thread's side (started by bmp-thread.ts): unpacks BMP pixel arrays one message at a
 * time. The pixel array arrives and the pixels leave as transferred buffers, never copied.
 */
import { parentPort } from 'node:worker_threads';
import { unpackBmp, type BmpHeader, type BmpPixels } from './bmp.js';

export interface UnpackRequest {
  id: number;
  /** canonicalBmp's copy of the file. */
  canonical: Uint8Array;
  header: BmpHeader;
}

export type UnpackReply = { id: number; ok: true; pixels: BmpPixels } | { id: number; ok: false; message: string };

const port = parentPort;
if (!port) throw new Error('bmp-worker.ts runs as a worker thread');

port.on('message', ({ id, canonical, header }: UnpackRequest) => {
  let pixels: BmpPixels;
  try {
    pixels = unpackBmp(canonical, header);
  } catch (error) {
    port.postMessage({ id, ok: false, message: error instanceof Error ? error.message : String(error) } satisfies UnpackReply);
    return;
  }
  port.postMessage({ id, ok: true, pixels } satisfies UnpackReply, [pixels.data.buffer as ArrayBuffer]);
});
