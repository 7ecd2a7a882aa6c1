/**
 * Peak memory of one request: a fresh server once ready, its resident set's high-water mark
 * (VmHWM) reset to the resident set (clear_refs 5: model loading peaks above idle), images posted
 * one at a time, and the high-water mark afterwards. The growth is
 * what serving one frame of this size costs at most: decoding, the model's activations and ONNX
 * Runtime's arena for that shape, the map and the blobs. Linux only (/proc).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { postImage, type ImagePost } from './post-images.js';
import type { ServerProcess } from './server-process.js';

export interface RequestMemory {
  readyMB: number;
  peakMB: number;
  /** peakMB - readyMB. */
  perRequestMB: number;
  requests: number;
}

async function statusMB(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kB = Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  if (!Number.isFinite(kB)) throw new Error(`/proc/${pid}/status has no ${field}`);
  return kB / 1024;
}

/** `server` must be fresh (no request served yet), so its high-water mark is that of idle plus these requests. */
export async function measureRequestMemory(server: ServerProcess, post: ImagePost, requests = 5): Promise<RequestMemory> {
  await writeFile(`/proc/${server.pid}/clear_refs`, '5');
  const readyMB = await statusMB(server.pid, 'VmHWM');
  for (let i = 0; i < requests; i++) await postImage(server.url, post);
  const peakMB = await statusMB(server.pid, 'VmHWM');
  return { readyMB, peakMB, perRequestMB: peakMB - readyMB, requests };
}
