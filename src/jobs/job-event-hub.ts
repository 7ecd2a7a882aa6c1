/**
 * Job events, stored and broadcast: each event is appended to the job's log in SQLite (so a late
 * or reconnecting client is replayed it) and then handed to the live listeners of that job (the
 * open event streams). At shutdown the listeners are told to end, so open streams do not hold the
 * server's drain.
 */
import type { JobEvent, JobEventKind, TrainingJobEventStore } from '../store/training-job-events.js';

export interface JobListener {
  onEvent(event: JobEvent): void;
  onShutdown(): void;
}

export class JobEventHub {
  private readonly listeners = new Map<string, Set<JobListener>>();
  private shutDown = false;

  constructor(readonly store: TrainingJobEventStore) {}

  publish(jobId: string, kind: JobEventKind, data: Record<string, unknown>): JobEvent {
    const event = this.store.append(jobId, kind, data);
    for (const listener of this.listeners.get(jobId) ?? []) listener.onEvent(event);
    return event;
  }

  /** Returns the unsubscribe function. After shutdown the listener is told to end at once. */
  subscribe(jobId: string, listener: JobListener): () => void {
    if (this.shutDown) {
      listener.onShutdown();
      return () => {};
    }
    let set = this.listeners.get(jobId);
    if (!set) {
      set = new Set();
      this.listeners.set(jobId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(jobId) === set) this.listeners.delete(jobId);
    };
  }

  shutdown(): void {
    this.shutDown = true;
    for (const set of [...this.listeners.values()]) for (const listener of [...set]) listener.onShutdown();
    this.listeners.clear();
  }
}
