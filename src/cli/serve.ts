/** `kensa serve`: the inspection server (what `npm start` runs). */
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
    // The demo bootstrap: makes sure the bundled demo product has a model before serving.
    const hasDemo = await ensureDemoProduct(config.modelsDir, logger);
    const server = await startServer(config, { logger });

    const lines = [`kensa is serving on ${server.url}  (API description: ${server.url}/api/v1/openapi.json)`];
    if (server.bootstrapKey) {
      lines.push('', 'First start: an admin API key was created. It is shown only now; store it safely:', `  ${server.bootstrapKey}`);
      lines.push('Make a key for each camera with: kensa keys create --role camera --name <camera>');
    }
    const product = hasDemo ? DEMO_PRODUCT : '<product>';
    lines.push('', 'Inspect an image:', `  curl -H "Authorization: Bearer <key>" -F image=@part.png "${server.url}/api/v1/inspect?product=${product}"`);
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
