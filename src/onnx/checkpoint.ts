/**
 * Checkpoints in the safetensors layout (8-byte little-endian header length, a JSON header, then
 * the raw tensors), so they can be read by other tools too.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { FloatArray } from './dtype.js';
import type { ParameterStore } from './parameters.js';
import type { TrainingStep } from './training-step.js';

export interface Checkpoint {
  tensors: Map<string, { shape: readonly number[]; data: FloatArray }>;
  metadata: Record<string, string>;
}

interface HeaderEntry {
  dtype: 'F32' | 'F64';
  shape: number[];
  data_offsets: [number, number];
}

export function encodeCheckpoint(checkpoint: Checkpoint): Buffer {
  const header: Record<string, HeaderEntry | Record<string, string>> = { __metadata__: checkpoint.metadata };
  let offset = 0;
  const parts: Uint8Array[] = [];
  for (const [name, { shape, data }] of checkpoint.tensors) {
    header[name] = { dtype: data instanceof Float64Array ? 'F64' : 'F32', shape: [...shape], data_offsets: [offset, offset + data.byteLength] };
    parts.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    offset += data.byteLength;
  }
  // Pad the header with spaces so the data starts 8-byte aligned, as the format recommends.
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  return Buffer.concat([length, Buffer.from(json), ...parts]);
}

export function decodeCheckpoint(bytes: Buffer): Checkpoint {
  if (bytes.length < 8) throw new Error('checkpoint is truncated');
  const headerLength = Number(bytes.readBigUInt64LE(0));
  if (8 + headerLength > bytes.length) throw new Error('checkpoint is truncated');
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, unknown>;
  const start = 8 + headerLength;
  const tensors: Checkpoint['tensors'] = new Map();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets: [begin, end] } = entry as HeaderEntry;
    if (start + end > bytes.length) throw new Error(`checkpoint is truncated in tensor ${name}`);
    const raw = bytes.subarray(start + begin, start + end);
    // Copy into an aligned buffer: the slice of the file need not be 4- or 8-byte aligned.
    const aligned = new Uint8Array(raw).buffer;
    const data = dtype === 'F64' ? new Float64Array(aligned) : new Float32Array(aligned);
    tensors.set(name, { shape, data });
  }
  return { tensors, metadata: (header.__metadata__ as Record<string, string>) ?? {} };
}

export async function saveCheckpoint(path: string, checkpoint: Checkpoint): Promise<void> {
  // Write then rename, so a crash never leaves a half-written checkpoint under the real name.
  await writeFile(`${path}.tmp`, encodeCheckpoint(checkpoint));
  await rename(`${path}.tmp`, path);
}

export async function loadCheckpoint(path: string): Promise<Checkpoint> {
  return decodeCheckpoint(await readFile(path));
}

/** Everything needed to resume training: parameter values, and each step's Adam state and count. */
export function captureTraining(store: ParameterStore, steps: Record<string, TrainingStep>, metadata: Record<string, string> = {}): Checkpoint {
  const tensors: Checkpoint['tensors'] = new Map();
  for (const name of store.names()) tensors.set(`param/${name}`, { shape: store.get(name).shape, data: store.get(name).data });
  const counts: Record<string, number> = {};
  for (const [stepName, step] of Object.entries(steps)) {
    for (const [name, data] of step.optimizerState()) tensors.set(`state/${stepName}/${name}`, { shape: [data.length], data });
    counts[stepName] = step.steps;
  }
  return { tensors, metadata: { ...metadata, 'kensa.steps': JSON.stringify(counts) } };
}

export function restoreTraining(checkpoint: Checkpoint, store: ParameterStore, steps: Record<string, TrainingStep>): void {
  for (const [key, { shape, data }] of checkpoint.tensors) {
    if (key.startsWith('param/')) store.set(key.slice('param/'.length), shape, data.slice());
  }
  const counts = JSON.parse(checkpoint.metadata['kensa.steps'] ?? '{}') as Record<string, number>;
  for (const [stepName, step] of Object.entries(steps)) {
    const prefix = `state/${stepName}/`;
    const state = new Map<string, FloatArray>();
    for (const [key, { data }] of checkpoint.tensors) if (key.startsWith(prefix)) state.set(key.slice(prefix.length), data);
    step.loadOptimizerState(state, counts[stepName] ?? 0);
  }
}
