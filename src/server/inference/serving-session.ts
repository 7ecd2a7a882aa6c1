/**
 * The ONNX Runtime settings the server scores with. Its intra-op threads do not spin-wait: between
 * and during batches the same cores decode images, serve HTTP and commit to SQLite, and threads
 * spinning for the next batch took that time from them (16 cameras on 2 cores, runs interleaved:
 * 24 and 14 images/s spinning, 32 and 22 not).
 */
import type { SessionConfig } from '../../onnx/session.js';
import type { ServerConfig } from '../config.js';

export function servingSession(config: Pick<ServerConfig, 'device' | 'threads'>): SessionConfig {
  return { device: config.device, threads: config.threads, spinWait: false };
}
