/**
 * Training runs at the lowest CPU priority, so the inspections of the line keep their latency
 * while a model trains on the same cores. On Linux a nice value belongs to each thread, and a
 * thread inherits its creator's: a process that lowers only itself keeps the threads it started
 * before (libuv's pool, V8's helpers) at normal priority. So every existing thread is lowered;
 * the threads started afterwards (ONNX Runtime's pools) inherit the low priority.
 */
import { readdirSync } from 'node:fs';
import os from 'node:os';

/** The lowest priority: such threads run when nothing else wants the CPU. */
export const TRAINING_NICE = 19;

export function lowerOwnPriority(): void {
  let threads: string[] = [];
  try {
    threads = readdirSync('/proc/self/task');
  } catch {
    // not Linux: the priority is the process's
  }
  if (threads.length === 0) {
    os.setPriority(TRAINING_NICE);
    return;
  }
  for (const tid of threads) {
    try {
      os.setPriority(Number(tid), TRAINING_NICE);
    } catch {
      // the thread ended meanwhile
    }
  }
}
