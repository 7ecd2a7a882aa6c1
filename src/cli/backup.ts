/** `kensa backup`: a consistent copy of a live server's database, images, good sets and models. */
import type { Command } from 'commander';
import { ConfigError, envName, loadServerConfig } from '../server/config.js';
import { backupServerData } from '../store/backup.js';

export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description('copy the server\'s data while it runs (restore: serve with --data-dir <to>/data --models-dir <to>/models); into the same folder again, only what is new is copied')
    .requiredOption('--to <dir>', 'backup folder')
    .option('--data-dir <dir>', `data directory of the server [${envName('dataDir')}; default ./.kensa]`)
    .option('--models-dir <dir>', `model packages of the server [${envName('modelsDir')}; default ./models]`)
    .action(async (options: { to: string; dataDir?: string; modelsDir?: string }) => {
      let config;
      try {
        config = loadServerConfig({ dataDir: options.dataDir, modelsDir: options.modelsDir });
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        console.error(`kensa backup: ${error.message}`);
        process.exitCode = 2;
        return;
      }
      const report = await backupServerData(config, options.to);
      console.log(
        `database ${(report.databaseBytes / 1024 ** 2).toFixed(1)} MiB; files copied ${report.filesCopied}, already there ${report.filesKept}` +
          (report.blobsMissing ? `; ${report.blobsMissing} images or maps deleted by retention meanwhile` : ''),
      );
    });
}
