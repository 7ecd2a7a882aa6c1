/**
 * The server's own inspection service in the benchmark's process, reached without HTTP as a hot
 * folder reaches it (RunningServer.submit): everything one inspection does apart from the HTTP
 * exchange (decode, the image-quality measures, the model on the server's executor, map encoding,
 * the blob writes, the SQLite transaction with its line health), on a database and data folder of
 * its own. Its single-image latency is the limit the server's latency is measured against
 * (lib/serve-limit.ts): what is left between the two is HTTP (parsing, logging, authorization,
 * reading the body, the JSON answer) and the loopback.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadServerConfig, type ServerConfig } from '../../src/server/config.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { NO_TRACEABILITY } from '../../src/store/inspections.js';
import { timeRuns } from './time-runs.js';

const CLIENT = { apiKeyId: null, address: null, userAgent: 'bench', requestId: 'bench' };

export class InProcessServer {
  private constructor(
    private readonly dir: string,
    private readonly server: RunningServer,
  ) {}

  /** `settings`: the benchmarked server's flags that the bench set; the rest at the server's defaults. */
  static async open(modelsDir: string, settings: Partial<ServerConfig>): Promise<InProcessServer> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kensa-bench-in-process-'));
    const config = loadServerConfig({ ...settings, modelsDir, dataDir: dir, host: '127.0.0.1', port: 0, demo: false, logLevel: 'warn' }, {});
    try {
      return new InProcessServer(dir, await startServer(config, { logger: pino({ level: 'warn' }) }));
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Ms of one inspection of `product` from submission to its committed row, `runs` times one at a time (after one untimed). */
  latencies(bytes: Buffer, product: string, runs: number): Promise<number[]> {
    const submission = { product, line: null, camera: null, trace: NO_TRACEABILITY, upload: () => Promise.resolve(bytes), client: CLIENT };
    return timeRuns(runs, 1, () => this.server.submit(submission));
  }

  async close(): Promise<void> {
    await this.server.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}
