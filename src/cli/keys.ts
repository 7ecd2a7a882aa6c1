/** `kensa keys`: create, list and revoke API keys in the server's database. */
import type { Command } from 'commander';
import { ApiKeyStore, ROLES, type Role } from '../store/api-keys.js';
import { databasePath, openDatabase } from '../store/database.js';
import { ConfigError, envName, loadServerConfig } from '../server/config.js';

function withKeys<T>(dataDir: string | undefined, use: (keys: ApiKeyStore) => T): T | undefined {
  let config;
  try {
    config = loadServerConfig({ dataDir });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`kensa keys: ${error.message}`);
    process.exitCode = 2;
    return undefined;
  }
  const db = openDatabase(databasePath(config.dataDir));
  try {
    return use(new ApiKeyStore(db));
  } finally {
    db.close();
  }
}

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('manage API keys (stored hashed in the data directory)');
  const dataDirHelp = `data directory of the server [${envName('dataDir')}; default ./.kensa]`;

  keys
    .command('create')
    .description('create a key and print it (the only time it is shown)')
    .requiredOption('--role <role>', 'camera (inspect only), qa (read and review), trainer (qa, and train, cancel its own jobs, curate the good set) or admin (everything)')
    .option('--name <name>', 'what the key is for, e.g. the camera', '')
    .option('--data-dir <dir>', dataDirHelp)
    .action((options: { role: string; name: string; dataDir?: string }) => {
      if (!(ROLES as readonly string[]).includes(options.role)) {
        console.error(`kensa keys create: --role must be one of ${ROLES.join(', ')}`);
        process.exitCode = 2;
        return;
      }
      const role = options.role as Role;
      const created = withKeys(options.dataDir, (store) => store.create(role, options.name || `${role} key`));
      if (!created) return;
      console.error(`created ${role} key ${created.record.prefix} ("${created.record.name}"); it is shown once:`);
      console.log(created.key);
    });

  keys
    .command('list')
    .description('list keys (prefixes and roles, never secrets)')
    .option('--data-dir <dir>', dataDirHelp)
    .action((options: { dataDir?: string }) => {
      const records = withKeys(options.dataDir, (store) => store.list());
      for (const key of records ?? []) {
        const state = key.revokedMs === null ? 'active' : `revoked ${new Date(key.revokedMs).toISOString()}`;
        console.log(`${key.prefix}  ${key.role.padEnd(7)}  ${state.padEnd(32)}  ${key.name}`);
      }
    });

  keys
    .command('revoke <prefix>')
    .description('revoke a key by its prefix (the part after "kensa_")')
    .option('--data-dir <dir>', dataDirHelp)
    .action((prefix: string, options: { dataDir?: string }) => {
      const revoked = withKeys(options.dataDir, (store) => store.revoke(prefix));
      if (revoked === false) {
        console.error(`kensa keys revoke: no active key with prefix ${prefix}`);
        process.exitCode = 1;
      } else if (revoked) console.error(`revoked ${prefix}`);
    });
}
