import { randomBytes } from 'node:crypto';
import { secretsConfigFrom } from './config.js';

describe('secrets configuration', () => {
  const current = randomBytes(32);
  const previous = [randomBytes(32), randomBytes(32)];

  it('reads SECRETS_PREVIOUS_KEYS as comma-separated keys, base64 or hex', () => {
    const config = secretsConfigFrom({ SECRETS_KEY: current.toString('base64'), SECRETS_PREVIOUS_KEYS: `${previous[0]!.toString('hex')}, ${previous[1]!.toString('base64')}` });
    expect(config).toEqual({ backend: 'postgres', key: current, previousKeys: previous, schema: 'secrets' });
    expect(secretsConfigFrom({ SECRETS_KEY: current.toString('base64') })).toMatchObject({ previousKeys: [] });
  });

  it('names the entry of SECRETS_PREVIOUS_KEYS that is not a key, and never echoes a key', () => {
    const short = randomBytes(16).toString('base64');
    const attempt = () => secretsConfigFrom({ SECRETS_KEY: current.toString('base64'), SECRETS_PREVIOUS_KEYS: `${previous[0]!.toString('base64')},${short}` });
    expect(attempt).toThrow(/SECRETS_PREVIOUS_KEYS: entry 2 is not a key/);
    expect(attempt).not.toThrow(new RegExp(short.replace(/[+/=]/g, '.')));
  });

  it('refuses previous keys without a current one', () => {
    expect(() => secretsConfigFrom({ SECRETS_PREVIOUS_KEYS: previous[0]!.toString('base64') })).toThrow(/SECRETS_PREVIOUS_KEYS: is set without SECRETS_KEY/);
  });

  it('gives Vault a Transit mount, `transit` unless VAULT_TRANSIT_MOUNT says otherwise', () => {
    const vault = { SECRETS_BACKEND: 'vault', VAULT_ADDR: 'https://vault.internal:8200', VAULT_TOKEN: 't' };
    expect(secretsConfigFrom(vault)).toMatchObject({ backend: 'vault', transitMount: 'transit' });
    expect(secretsConfigFrom({ ...vault, VAULT_TRANSIT_MOUNT: 'tenant-keys' })).toMatchObject({ transitMount: 'tenant-keys' });
  });
});
