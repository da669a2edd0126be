import { randomBytes } from 'node:crypto';
import type { SecretStore } from './port.js';

/** What every SecretStore adapter must do. `open` gives a fresh store (its own namespace). */
export function describeSecretStoreBehaviour(adapter: string, open: () => Promise<{ store: SecretStore; dispose: () => Promise<void> }>): void {
  describe(`SecretStore behaviour: ${adapter}`, () => {
    let store: SecretStore;
    let dispose: () => Promise<void>;
    const tenant = () => `t${randomBytes(4).toString('hex')}`;

    beforeAll(async () => {
      ({ store, dispose } = await open());
    });
    afterAll(async () => {
      await store.close();
      await dispose();
    });

    it('keeps a value per tenant and name, each put a new version', async () => {
      const acme = tenant();
      expect(await store.put(acme, 'crm-token', 'first')).toMatchObject({ name: 'crm-token', version: 1 });
      expect(await store.put(acme, 'crm-token', 'second')).toMatchObject({ name: 'crm-token', version: 2 });
      expect(await store.get(acme, 'crm-token')).toBe('second');
      expect(await store.get(tenant(), 'crm-token')).toBeUndefined();
    });

    it('lists names and versions, never values', async () => {
      const acme = tenant();
      await store.put(acme, 'b-key', 'value-b');
      await store.put(acme, 'a-key', 'value-a');
      const listed = await store.list(acme);
      expect(listed.map(({ name, version }) => ({ name, version }))).toEqual([
        { name: 'a-key', version: 1 },
        { name: 'b-key', version: 1 },
      ]);
      expect(JSON.stringify(listed)).not.toContain('value-');
    });

    it('deletes, and says whether there was anything to delete', async () => {
      const acme = tenant();
      await store.put(acme, 'gone', 'x');
      expect(await store.delete(acme, 'gone')).toBe(true);
      expect(await store.get(acme, 'gone')).toBeUndefined();
      expect(await store.delete(acme, 'gone')).toBe(false);
    });

    it('shreds a tenant: its secrets read as shredded for good, other tenants keep theirs, and a new put starts afresh', async () => {
      const acme = tenant();
      const globex = tenant();
      await store.put(acme, 'crm-token', 'acme-first');
      await store.put(acme, 'crm-token', 'acme-second');
      await store.put(acme, 'ledger-key', 'acme-ledger');
      await store.put(globex, 'crm-token', 'globex-value');

      await store.shredTenant(acme);
      for (const name of ['crm-token', 'ledger-key']) await expect(store.get(acme, name)).rejects.toMatchObject({ name: 'SecretStoreError', code: 'Shredded' });
      expect(await store.get(globex, 'crm-token')).toBe('globex-value');

      await store.put(acme, 'crm-token', 'acme-after');
      expect(await store.get(acme, 'crm-token')).toBe('acme-after');
      await expect(store.get(acme, 'ledger-key')).rejects.toMatchObject({ code: 'Shredded' });
      await store.shredTenant(tenant()); // a tenant that never stored anything
    });
  });
}
