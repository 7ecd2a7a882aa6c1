/**
 * The open server-sent event streams. Each holds a connection for as long as its job runs (hours),
 * so there are at most `capacity`. One timer sends every stream its heartbeat and ends the streams
 * whose API key has been revoked: keys are revoked in the database (by `kensa keys revoke`, in
 * another process), so the server learns of it by looking.
 */
import type { ApiKeyStore } from '../store/api-keys.js';
import { problems } from './problem.js';

export interface EventStream {
  /** The key it was opened with (null on a public endpoint). */
  keyId: number | null;
  heartbeat(): void;
  end(): void;
}

export class EventStreams {
  private readonly open = new Set<EventStream>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly keys: ApiKeyStore,
    private readonly options: { capacity: number; heartbeatMs: number },
  ) {}

  /** Registers a stream and returns its removal; throws 503 when `capacity` are open (call it before the stream's headers go out). */
  add(stream: EventStream): () => void {
    if (this.open.size >= this.options.capacity) throw problems.tooManyEventStreams(this.options.capacity);
    this.open.add(stream);
    this.timer ??= setInterval(() => this.tick(), this.options.heartbeatMs).unref();
    return () => {
      this.open.delete(stream);
      // No timer while no stream is open: it would outlive the database at shutdown.
      if (this.open.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  }

  private tick(): void {
    const live = new Set(this.keys.list().flatMap((key) => (key.revokedMs === null ? [key.id] : [])));
    for (const stream of [...this.open]) {
      if (stream.keyId === null || live.has(stream.keyId)) stream.heartbeat();
      else stream.end();
    }
  }
}
