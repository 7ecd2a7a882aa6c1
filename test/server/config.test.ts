/** Server configuration: defaults, environment, flags, and errors that name the setting. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, ConfigError, envName, flagName, loadServerConfig } from '../../src/server/config.js';

describe('loadServerConfig', () => {
  it('has embedded defaults relative to the working directory', () => {
    const config = loadServerConfig({}, {});
    expect(config).toMatchObject({ host: '0.0.0.0', port: 8080, dataDir: path.resolve('.kensa'), modelsDir: path.resolve('models'), device: 'cpu', inferenceThread: 'worker' });
    expect(config.threads).toBeGreaterThanOrEqual(1);
  });

  it('takes KENSA_* variables over defaults and flags over both', () => {
    const env = { KENSA_PORT: '9000', KENSA_MAX_BATCH: '4', KENSA_DATA_DIR: '/var/lib/kensa', KENSA_LOG_LEVEL: '' };
    expect(loadServerConfig({}, env)).toMatchObject({ port: 9000, maxBatch: 4, dataDir: '/var/lib/kensa', logLevel: 'info' });
    expect(loadServerConfig({ port: '9100' }, env)).toMatchObject({ port: 9100, maxBatch: 4 });
  });

  it('names the variable or flag that is wrong', () => {
    expect(() => loadServerConfig({}, { KENSA_PORT: 'eighty' })).toThrow(/KENSA_PORT/);
    expect(() => loadServerConfig({ maxBatch: '0' }, {})).toThrow(/--max-batch/);
    expect(() => loadServerConfig({ device: 'tpu' }, {})).toThrow(ConfigError);
  });

  it('derives every name from the schema keys', () => {
    expect(envName('retentionMaxBytes')).toBe('KENSA_RETENTION_MAX_BYTES');
    expect(flagName('retentionMaxBytes')).toBe('retention-max-bytes');
    expect(new Set(CONFIG_KEYS.map(envName)).size).toBe(CONFIG_KEYS.length);
  });
});
