import { subject } from '@casl/ability';
import { abilityFor, platformAdminAbility, type Action, type SubjectName } from './abilities.js';
import { permissions } from './role-table.js';
import type { Role } from './roles.js';

// Everything a tenant's roles can be granted: the platform's tenants and its prices are no tenant's to change, its own alerts no tenant's to read.
const platformOnly: readonly SubjectName[] = ['Tenant', 'PlatformAlert', 'PlatformAlertWebhook'];
const everything = permissions.filter(({ action, subject: on }) => !platformOnly.includes(on) && !(on === 'Price' && action === 'update')).map(({ action, subject: on }) => `${action} ${on}`);

function allowed(roles: Role[]): string[] {
  const ability = abilityFor('demo', roles);
  return permissions.filter(({ action, subject: on }) => ability.can(action, on)).map(({ action, subject: on }) => `${action} ${on}`);
}

describe('what each role may do', () => {
  it('lets an admin do everything in its tenant', () => {
    expect(allowed(['admin'])).toEqual(everything);
  });

  it('lets an operator run sessions, follow their logs, read agents and budgets, decide approvals, read alerts, dead letters, projections, usage and prices and run operations, but not manage keys', () => {
    expect(allowed(['operator'])).toEqual(['create Session', 'read Session', 'cancel Session', 'read SessionLog', 'read Approval', 'decide Approval', 'create Operation', 'read Operation', 'update Operation', 'read Agent', 'read Tool', 'read Policy', 'read Budget', 'read Alert', 'read DeadLetter', 'read Projection', 'read Usage', 'read Price']);
  });

  it('lets a viewer only read, and not API keys, secrets, egress or the admin stream', () => {
    expect(allowed(['viewer'])).toEqual(['read Session', 'read SessionLog', 'read Approval', 'read Agent', 'read Tool', 'read Policy']);
  });

  it('lets an approver read and decide approvals', () => {
    expect(allowed(['approver'])).toEqual(['read Session', 'read SessionLog', 'read Approval', 'decide Approval', 'read Agent', 'read Tool', 'read Policy']);
  });

  it('lets an auditor read the audit trail (session logs, the admin stream, exports, keys, checkpoints, retention) and what was spent (budgets, usage, prices), request exports and checkpoints, and nothing else', () => {
    expect(allowed(['auditor'])).toEqual(['read SessionLog', 'read AdminEvent', 'create AuditExport', 'read AuditExport', 'read AuditKey', 'create AuditCheckpoint', 'read AuditCheckpoint', 'read AuditRetention', 'read Budget', 'read Usage', 'read Price']);
  });

  it('grants the union of several roles', () => {
    expect(allowed(['viewer', 'approver'])).toEqual(allowed(['approver']));
    expect(allowed(['auditor', 'viewer'])).toEqual(['read Session', 'read SessionLog', 'read AdminEvent', 'create AuditExport', 'read AuditExport', 'read AuditKey', 'create AuditCheckpoint', 'read AuditCheckpoint', 'read AuditRetention', 'read Approval', 'read Agent', 'read Tool', 'read Policy', 'read Budget', 'read Usage', 'read Price']);
  });

  it('grants nothing without a role', () => {
    expect(allowed([])).toEqual([]);
  });

  it("allows nothing on another tenant's records, even to an admin", () => {
    const admin = abilityFor('demo', ['admin']);
    expect(admin.can('revoke', subject('ApiKey', { tenantId: 'demo' }))).toBe(true);
    expect(admin.can('revoke', subject('ApiKey', { tenantId: 'acme' }))).toBe(false);
    const operator = abilityFor('demo', ['operator']);
    expect(operator.can('cancel', subject('Session', { tenantId: 'acme' }))).toBe(false);
    const auditor = abilityFor('demo', ['auditor']);
    expect(auditor.can('read', subject('AdminEvent', { tenantId: 'demo' }))).toBe(true);
    expect(auditor.can('read', subject('AdminEvent', { tenantId: 'acme' }))).toBe(false);
  });
});

describe('tenants and the platform admin', () => {
  const onTenants: [Action, SubjectName][] = [
    ['create', 'Tenant'],
    ['read', 'Tenant'],
    ['update', 'Tenant'],
    ['delete', 'Tenant'],
  ];

  it('lets no tenant role manage tenants, set prices or read the platform\'s alerts, not even an admin (whose rules are on "all")', () => {
    for (const role of ['admin', 'operator', 'viewer', 'approver', 'auditor'] as const) {
      const ability = abilityFor('demo', [role]);
      expect(onTenants.filter(([action, on]) => ability.can(action, on))).toEqual([]);
      expect(ability.can('update', 'Price')).toBe(false);
      expect((['read', 'update'] as const).flatMap((action) => (['PlatformAlert', 'PlatformAlertWebhook'] as const).filter((on) => ability.can(action, on)))).toEqual([]);
    }
  });

  it("lets the platform admin manage tenants, run operations across them, read every tenant's dead letters, the projections and usage, set prices, read and route the platform's own alerts, and nothing else inside one", () => {
    const platform = platformAdminAbility();
    expect(onTenants.every(([action, on]) => platform.can(action, on))).toBe(true);
    expect(permissions.filter(({ action, subject: on }) => on !== 'Tenant' && platform.can(action, on)).map(({ action, subject: on }) => `${action} ${on}`)).toEqual(['create Operation', 'read Operation', 'update Operation', 'read PlatformAlert', 'read PlatformAlertWebhook', 'update PlatformAlertWebhook', 'read DeadLetter', 'read Projection', 'read Usage', 'read Price', 'update Price']);
    expect(platform.can('read', subject('Session', { tenantId: 'demo' }))).toBe(false);
  });
});
