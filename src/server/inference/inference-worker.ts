/**
 * The inference worker thread: owns every ONNX Runtime session of the server. session.run blocks
 * the thread that calls it, so running it here keeps the main thread free for HTTP, uploads and
 * decoding while a batch runs. Input batches arrive and anomaly maps leave as transferred buffers.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ModelHost, type RunResult } from './executor.js';
import type { WorkerData, WorkerReply, WorkerRequest } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('inference-worker.ts runs as a worker thread');
const host = new ModelHost((workerData as WorkerData).session);

async function handle(request: WorkerRequest): Promise<{ value: unknown; transfer: ArrayBuffer[] }> {
  switch (request.type) {
    case 'load':
      await host.load(request.key, request.dir);
      return { value: null, transfer: [] };
    case 'run': {
      const result: RunResult = await host.run(request.key, request.batch, request.originals, request.options);
      return { value: result, transfer: result.verdicts.map((v) => v.map.data.buffer as ArrayBuffer) };
    }
    case 'unload':
      await host.unload(request.key);
      return { value: null, transfer: [] };
  }
}

port.on('message', (request: WorkerRequest) => {
  handle(request).then(
    ({ value, transfer }) => port.postMessage({ id: request.id, ok: true, value } satisfies WorkerReply, transfer),
    (error: unknown) => port.postMessage({ id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) } satisfies WorkerReply),
  );
});
