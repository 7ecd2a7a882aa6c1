/**
 * The server's handle on a job's runner process: child_process.fork of job-runner, at the lowest
 * CPU priority (the runner lowers all its threads itself; lowering its main thread from here too
 * covers the moment before it runs), reports as callbacks, the tail of its stderr to explain a
 * crash, and a kill for cancellation. Under tsx (tests, scripts) the TypeScript runner is started
 * with tsx's loader; compiled builds fork the .js.
 */
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { execArgvFor, siblingModule } from '../util/worker-module.js';
import { TRAINING_NICE } from './priority.js';
import type { RunnerJob, RunnerReport, RunnerRequest } from './runner-protocol.js';
import type { Pausable } from './training-pause.js';

export interface RunnerHandlers {
  onReport(report: RunnerReport): void;
  /** The process ended; `stderr` is the end of what it wrote there. */
  onExit(code: number | null, signal: NodeJS.Signals | null, stderr: string): void;
}

const STDERR_TAIL = 4000;

export class RunnerProcess implements Pausable {
  private constructor(private readonly child: ChildProcess) {}

  static start(job: RunnerJob, handlers: RunnerHandlers): RunnerProcess {
    const file = siblingModule('job-runner', import.meta.url);
    const child = fork(file, [], { execArgv: execArgvFor(file), stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    if (child.pid !== undefined) {
      try {
        os.setPriority(child.pid, TRAINING_NICE);
      } catch {
        // it exited already: onExit says why
      }
    }
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL)));
    child.on('message', (report: RunnerReport) => handlers.onReport(report));
    // 'close' comes after the last message and all of stderr.
    child.once('close', (code, signal) => handlers.onExit(code, signal, stderr));
    // A failed spawn emits 'error' and then 'close'.
    child.on('error', () => undefined);
    child.send({ type: 'start', job } satisfies RunnerRequest);
    return new RunnerProcess(child);
  }

  get pid(): number | null {
    return this.child.pid ?? null;
  }

  /** Stop it now: training holds nothing that needs a clean shutdown (a paused runner dies too). */
  kill(): void {
    this.child.kill('SIGKILL');
  }

  pause(): void {
    this.signal('SIGSTOP');
  }

  resume(): void {
    this.signal('SIGCONT');
  }

  private signal(signal: NodeJS.Signals): void {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      this.child.kill(signal);
    } catch {
      // a platform without job control signals: the runner keeps its low priority only
    }
  }
}
