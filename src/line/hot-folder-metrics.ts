/**
 * The hot folders' Prometheus metrics, in the server's registry, labelled by the folder's product,
 * line and camera (never its path: /metrics must not show the server's folders): files moved to
 * done/ or failed/, files settled and waiting for their inspection, and how often a file waited
 * because the server was saturated.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { HotFolderConfig } from '../server/config.js';
import { UNNAMED } from './unnamed.js';

type FolderLabels = { product: string; line: string; camera: string };

export class HotFolderMetrics {
  private readonly files: Counter<'product' | 'line' | 'camera' | 'outcome'>;
  private readonly pending: Gauge<'product' | 'line' | 'camera'>;
  private readonly admissionWaits: Counter<'product' | 'line' | 'camera'>;

  constructor(registry: Registry) {
    const registers = [registry];
    const labelNames = ['product', 'line', 'camera'] as const;
    this.files = new Counter({
      name: 'kensa_hot_folder_files_total',
      help: 'Hot-folder files handled, by folder and outcome (done: inspected; failed: refused, with the reason beside it in failed/)',
      labelNames: [...labelNames, 'outcome'],
      registers,
    });
    this.pending = new Gauge({ name: 'kensa_hot_folder_files_pending', help: 'Hot-folder files settled and waiting for (or in) their inspection, by folder', labelNames, registers });
    this.admissionWaits = new Counter({
      name: 'kensa_hot_folder_admission_waits_total',
      help: 'Times a hot-folder file was refused for a saturated server and waited to be tried again, by folder',
      labelNames,
      registers,
    });
  }

  /** The metrics of one folder. */
  of(folder: HotFolderConfig) {
    const labels: FolderLabels = { product: folder.product, line: folder.line ?? UNNAMED, camera: folder.camera ?? UNNAMED };
    return {
      queued: () => this.pending.inc(labels),
      dequeued: () => this.pending.dec(labels),
      waited: () => this.admissionWaits.inc(labels),
      moved: (outcome: 'done' | 'failed') => this.files.inc({ ...labels, outcome }),
    };
  }
}

export type FolderMetrics = ReturnType<HotFolderMetrics['of']>;
