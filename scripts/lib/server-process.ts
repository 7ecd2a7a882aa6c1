/**
 * `kensa serve` in a child process, for the benchmarks: started on a port of its own (or a given
 * one, to restart on the same address), ready once /readyz answers, stopped with SIGTERM or killed
 * with SIGKILL as a power cut or an OOM kill would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../src/util/free-port.js';

const REPO = path.resolve(import.meta.dirname, '../..');

export class ServerProcess {
  private stderr = '';

  private constructor(
    readonly url: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-4000)));
  }

  /** `flags` are `kensa serve` flags without their dashes. */
  static async start(flags: Record<string, string | number>, port?: number): Promise<ServerProcess> {
    port ??= await freePort();
    const args = ['--import', 'tsx', path.join(REPO, 'src/cli/main.ts'), 'serve', '--host', '127.0.0.1', '--port', String(port), '--log-level', 'warn'];
    for (const [flag, value] of Object.entries(flags)) args.push(`--${flag}`, String(value));
    const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
    const server = new ServerProcess(`http://127.0.0.1:${port}`, port, child);
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`kensa serve exited with code ${child.exitCode}:\n${server.stderr}`);
      const ready = await fetch(`${server.url}/readyz`).then((r) => r.ok, () => false);
      if (ready) return server;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    child.kill('SIGKILL');
    throw new Error(`kensa serve did not become ready:\n${server.stderr}`);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** True once the process has exited, for whatever reason. */
  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Calls `listener` if the process exits; returns a function that stops listening. */
  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): () => void {
    this.child.on('exit', listener);
    return () => this.child.off('exit', listener);
  }

  /** The last lines the server wrote to stderr. */
  get recentStderr(): string {
    return this.stderr;
  }

  stop(): Promise<void> {
    return this.signal('SIGTERM');
  }

  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  private signal(signal: NodeJS.Signals): Promise<void> {
    return new Promise((resolve) => {
      if (this.exited) return resolve();
      this.child.once('exit', () => resolve());
      this.child.kill(signal);
    });
  }
}
