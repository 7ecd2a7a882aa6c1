/** Runs the retention policy at start and then periodically; never two passes at once. */
import type { Logger } from 'pino';
import type { BlobStore } from '../store/blob-store.js';
import type { Db } from '../store/database.js';
import { applyRetention, type RetentionPolicy } from '../store/retention.js';

export class RetentionSchedule {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    private readonly blobs: BlobStore,
    private readonly policy: RetentionPolicy,
    private readonly logger: Logger,
  ) {}

  start(intervalMs: number): void {
    this.runNow();
    this.timer = setInterval(() => this.runNow(), intervalMs);
    this.timer.unref();
  }

  /** Start a pass unless one is running; resolves when the current pass ends. */
  runNow(): Promise<void> {
    this.running ??= applyRetention(this.db, this.blobs, this.policy)
      .then(
        (report) => {
          if (report.removedBlobs || report.removedDerived || report.removedOrphans) this.logger.info({ retention: report }, 'retention removed stored files');
        },
        (error: unknown) => this.logger.error({ err: error }, 'retention failed'),
      )
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  /** Stop scheduling and wait for a pass in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
