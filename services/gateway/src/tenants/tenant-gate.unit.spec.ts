import type { Tenant } from './tenant-store.js';
import { TenantGate } from './tenant-gate.js';

type Status = Pick<Tenant, 'status' | 'retainUntil'>;

describe('TenantGate', () => {
  let now = 0;
  let lookUps: string[] = [];
  let statuses: Record<string, Status | Error>;
  const gate = () =>
    new TenantGate(
      async (tenantId) => {
        lookUps.push(tenantId);
        const status = statuses[tenantId];
        if (status instanceof Error) throw status;
        return status;
      },
      1000,
      () => now,
    );

  beforeEach(() => {
    now = 0;
    lookUps = [];
    statuses = { acme: { status: 'active', retainUntil: null } };
  });

  it('lets an active tenant and a tenant with no row through, and refuses a suspended or deleted one, saying why', async () => {
    statuses.paused = { status: 'suspended', retainUntil: null };
    statuses.gone = { status: 'deleted', retainUntil: '2027-05-27T04:00:00.000Z' };
    const checks = gate();
    await expect(checks.assertActive('acme')).resolves.toBeUndefined();
    await expect(checks.assertActive('legacy')).resolves.toBeUndefined();
    await expect(checks.assertActive('paused')).rejects.toMatchObject({ code: 'Forbidden', message: 'tenant paused is suspended; a platform admin can resume it.' });
    await expect(checks.assertActive('gone')).rejects.toMatchObject({ code: 'Forbidden', message: expect.stringContaining('tenant gone has been deleted; its data is kept until 2027-05-27T04:00:00.000Z') });
  });

  it('looks a tenant up once per second, however many requests arrive meanwhile', async () => {
    const checks = gate();
    await Promise.all([checks.assertActive('acme'), checks.assertActive('acme'), checks.assertActive('acme')]);
    now = 999;
    await checks.assertActive('acme');
    expect(lookUps).toEqual(['acme']);
    statuses.acme = { status: 'suspended', retainUntil: null };
    now = 1000;
    await expect(checks.assertActive('acme')).rejects.toMatchObject({ code: 'Forbidden' });
    expect(lookUps).toEqual(['acme', 'acme']);
  });

  it('asks again at once after forget, and after a failed look-up', async () => {
    const checks = gate();
    await checks.assertActive('acme');
    statuses.acme = { status: 'suspended', retainUntil: null };
    checks.forget('acme');
    await expect(checks.assertActive('acme')).rejects.toMatchObject({ code: 'Forbidden' });

    statuses.flaky = new Error('connection reset');
    await expect(checks.assertActive('flaky')).rejects.toThrow('connection reset');
    statuses.flaky = { status: 'active', retainUntil: null };
    await expect(checks.assertActive('flaky')).resolves.toBeUndefined();
  });
});
