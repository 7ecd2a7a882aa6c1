/**
 * Inspections first: while any inspection is in progress, every training runner is stopped
 * (SIGSTOP), and continued (SIGCONT) when the last one ends. A niced process still shares the
 * caches, the memory bandwidth and the host's cores with the inference worker, and its threads
 * are still running when an image arrives; stopped, it shares nothing. Training advances in the
 * gaps between inspections, so a line that never pauses also never lets a job finish.
 *
 * A runner stopped when the server dies stays stopped (it cannot notice); the next start kills it.
 */

/** What can be paused: a runner process. */
export interface Pausable {
  pause(): void;
  resume(): void;
}

export class TrainingPause {
  private inspections = 0;
  private readonly runners = new Set<Pausable>();

  /** Track a runner until the returned function is called (when it exits). */
  track(runner: Pausable): () => void {
    this.runners.add(runner);
    if (this.inspections > 0) runner.pause();
    return () => this.runners.delete(runner);
  }

  inspectionStarted(): void {
    if (this.inspections++ === 0) for (const runner of this.runners) runner.pause();
  }

  inspectionEnded(): void {
    if (--this.inspections === 0) for (const runner of this.runners) runner.resume();
  }
}
