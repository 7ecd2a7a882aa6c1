/** `kensa serve`: the inspection server. */
import type { Command } from 'commander';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start the inspection server (not built yet: see issue 5)')
    .action(() => {
      console.error('kensa serve: the inspection server is not built yet (issue 5). The training engine is: npm run bench:engine');
      process.exitCode = 1;
    });
}
