/** `kensa serve`: the inspection server (what `npm start` runs). */
import path from 'node:path';
import type { Command } from 'commander';
import { CONFIG_KEYS, ConfigError, envName, flagName, loadServerConfig, ServerConfigSchema } from '../server/config.js';
import { DEMO_PRODUCT, ensureDemoProduct } from '../server/demo.js';
import { createLogger } from '../server/logger.js';
import { startServer } from '../server/server.js';

export function registerServe(program: Command): void {
  const command = program.command('serve').description('start the inspection server; every flag can also be set as an environment variable');
  for (const key of CONFIG_KEYS) {
    command.option(`--${flagName(key)} <value>`, `${ServerConfigSchema.shape[key].description ?? key} [${envName(key)}]`);
  }
  command.action(async (flags: Record<string, string>) => {
    let config;
    try {
      config = loadServerConfig(flags);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      console.error(`kensa serve: ${error.message}`);
      process.exitCode = 2;
      return;
    }
    const logger = createLogger(config.logLevel);
    // The bundled demo product: trained on first start, so a fresh clone serves something real.
    const demo = config.demo ? await ensureDemoProduct(config.modelsDir, config.dataDir, logger) : null;
    const server = await startServer(config, { logger });

    const lines = [`kensa is serving on ${server.url}  (API description: ${server.url}/api/v1/openapi.json)`];
    if (server.internalUrl) lines.push(`Readiness details and metrics, without a key: ${server.internalUrl}/readyz and ${server.internalUrl}/metrics`);
    // The key stays out of the output (logs are collected and kept); the curl line reads the file.
    const keyFile = server.firstAdminKeyFile ? shellWord(pathFromCwd(server.firstAdminKeyFile)) : null;
    if (keyFile) {
      lines.push('', `First start: an admin API key was created in ${keyFile} (readable by this user only). Store it safely, then delete the file.`);
      lines.push('Make a key for each camera with: kensa keys create --role camera --name <camera>');
    }
    const product = demo ? DEMO_PRODUCT : '<product>';
    const image = demo ? path.relative(process.cwd(), demo.example) : 'part.png';
    lines.push('', 'Inspect an image:', `  curl -H "Authorization: Bearer ${keyFile ? `$(cat ${keyFile})` : '<key>'}" -F image=@${image} "${server.url}/api/v1/inspect?product=${product}&line=1&camera=1"`);
    console.error(lines.join('\n'));

    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        server.close().then(
          () => process.exit(0),
          (error: unknown) => {
            logger.fatal({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      });
    }
  });
}

/** Relative to the working directory when the file is below it, so a pasted command stays short. */
function pathFromCwd(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

/** One word for a POSIX shell: quoted when it holds anything but plain path characters. */
function shellWord(text: string): string {
  return /^[\w./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
