/**
 * Progress of long commands: a bar per stage on a terminal, a line per stage (and every 10%)
 * otherwise, so logs of CI runs and training jobs stay readable.
 */
import { SingleBar } from 'cli-progress';

export interface StageProgress {
  update(stage: string, message: string, fraction: number): void;
  stop(): void;
}

export function stageProgress(stream: NodeJS.WriteStream = process.stderr): StageProgress {
  let stage = '';
  let bar: SingleBar | null = null;
  let lastDecile = -1;
  return {
    update(next, message, fraction) {
      if (next !== stage) {
        bar?.stop();
        stage = next;
        lastDecile = -1;
        if (stream.isTTY) {
          bar = new SingleBar({ format: `${next.padEnd(9)} {bar} {percentage}% | {eta_formatted} | {message}`, stream, hideCursor: true });
          bar.start(1000, 0, { message });
        }
      }
      if (bar) bar.update(Math.round(fraction * 1000), { message });
      else if (Math.floor(fraction * 10) > lastDecile) {
        lastDecile = Math.floor(fraction * 10);
        stream.write(`${next}: ${(fraction * 100).toFixed(0)}% ${message}\n`);
      }
    },
    stop() {
      bar?.stop();
    },
  };
}
