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

  it('opens no internal listener unless told, and puts it on loopback', () => {
    const defaults = loadServerConfig({}, {});
    expect(defaults.internalPort).toBeUndefined();
    expect(defaults.internalHost).toBe('127.0.0.1');
    expect(loadServerConfig({}, { KENSA_INTERNAL_PORT: '9090' })).toMatchObject({ internalPort: 9090, internalHost: '127.0.0.1' });
  });

  it('takes a TLS certificate only with its key, and names the one missing', () => {
    const readable = import.meta.filename;
    expect(loadServerConfig({ tlsCert: readable, tlsKey: readable }, {})).toMatchObject({ tlsCert: readable, tlsKey: readable });
    expect(() => loadServerConfig({ tlsCert: readable }, {})).toThrow(/--tls-cert: HTTPS needs a certificate and its key: set --tls-key \(KENSA_TLS_KEY\) as well/);
    expect(() => loadServerConfig({}, { KENSA_TLS_KEY: readable })).toThrow(/KENSA_TLS_KEY: .* set --tls-cert \(KENSA_TLS_CERT\) as well/);
  });

  it('refuses TLS files it cannot read, naming the setting and the path', () => {
    const missing = path.join(import.meta.dirname, 'no-such-cert.pem');
    expect(() => loadServerConfig({ tlsCert: missing, tlsKey: import.meta.filename }, {})).toThrow(
      new RegExp(`--tls-cert: cannot read ${missing.replaceAll('.', '\\.')} \\(ENOENT\\)`),
    );
    expect(() => loadServerConfig({ tlsCert: import.meta.filename, tlsKey: import.meta.dirname }, {})).toThrow(/--tls-key: cannot read .* \(EISDIR\)/);
  });

  it('reads hot folders as JSON, with absolute paths, and names a bad entry', () => {
    const env = { KENSA_HOT_FOLDERS: JSON.stringify([{ path: 'drops/cam1', product: 'flange', camera: '1' }]) };
    expect(loadServerConfig({}, env).hotFolders).toEqual([{ path: path.resolve('drops/cam1'), product: 'flange', camera: '1', poll: false }]);
    expect(loadServerConfig({}, {}).hotFolders).toEqual([]);
    expect(() => loadServerConfig({}, { KENSA_HOT_FOLDERS: '[{"path": "x", "product": "../etc"}]' })).toThrow(/KENSA_HOT_FOLDERS: .*product id/);
    expect(() => loadServerConfig({}, { KENSA_HOT_FOLDERS: 'drops/cam1' })).toThrow(/KENSA_HOT_FOLDERS/);
    const twice = [{ path: 'drops/cam1', product: 'flange' }, { path: './drops/cam1/', product: 'gear' }];
    expect(() => loadServerConfig({ hotFolders: JSON.stringify(twice) }, {})).toThrow(/--hot-folders: each folder may be watched once/);
  });

  it('runs no OPC UA server unless told, and takes its user only with a password', () => {
    expect(loadServerConfig({}, {}).opcuaPort).toBeUndefined();
    expect(loadServerConfig({}, { KENSA_OPCUA_PORT: '4840', KENSA_OPCUA_USER: 'plc', KENSA_OPCUA_PASSWORD: 's3cret' })).toMatchObject({ opcuaPort: 4840, opcuaUser: 'plc' });
    expect(() => loadServerConfig({}, { KENSA_OPCUA_PORT: '4840', KENSA_OPCUA_USER: 'plc' })).toThrow(/KENSA_OPCUA_USER: OPC UA needs a user name and its password/);
  });

  it('derives every name from the schema keys', () => {
    expect(envName('retentionMaxBytes')).toBe('KENSA_RETENTION_MAX_BYTES');
    expect(flagName('retentionMaxBytes')).toBe('retention-max-bytes');
    expect(new Set(CONFIG_KEYS.map(envName)).size).toBe(CONFIG_KEYS.length);
  });
});
