/** Messages between the server and its inference worker (structured clone; buffers transferred). */
import type { Batch } from '../../image/batch.js';
import type { Size } from '../../image/resize-policy.js';
import type { InterpretOptions } from '../../model/loaded-model.js';
import type { SessionConfig } from '../../onnx/session.js';

export interface WorkerData {
  session: SessionConfig;
}

export type WorkerRequest = { id: number } & (
  | { type: 'load'; key: string; dir: string }
  | { type: 'run'; key: string; batch: Batch; originals: Size[]; options: InterpretOptions }
  | { type: 'unload'; key: string }
);

export type WorkerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string };
