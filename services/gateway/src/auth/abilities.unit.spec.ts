import { subject } from '@casl/ability';
import { abilityFor, platformAdminAbility, type Action, type SubjectName } from './abilities.js';
import type { Role } from './roles.js';

const everything: [Action, SubjectName][] = [
  ['create', 'ApiKey'],
  ['read', 'ApiKey'],
  ['revoke', 'ApiKey'],
  ['create', 'Session'],
  ['read', 'Session'],
  ['cancel', 'Session'],
  ['create', 'Agent'],
  ['read', 'Agent'],
  ['update', 'Agent'],
  ['create', 'Tool'],
  ['read', 'Tool'],
  ['read', 'Approval'],
  ['decide', 'Approval'],
  ['read', 'RoleMapping'],
  ['update', 'RoleMapping'],
];

function allowed(roles: Role[]): string[] {
  const ability = abilityFor('demo', roles);
  return everything.filter(([action, on]) => ability.can(action, on)).map(([action, on]) => `${action} ${on}`);
}

describe('what each role may do', () => {
  it('lets an admin do everything in its tenant', () => {
    expect(allowed(['admin'])).toEqual(everything.map(([action, on]) => `${action} ${on}`));
  });

  it('lets an operator run sessions, read agents and decide approvals, but not manage keys', () => {
    expect(allowed(['operator'])).toEqual(['create Session', 'read Session', 'cancel Session', 'read Agent', 'read Tool', 'read Approval', 'decide Approval']);
  });

  it('lets a viewer only read, and not API keys', () => {
    expect(allowed(['viewer'])).toEqual(['read Session', 'read Agent', 'read Tool', 'read Approval']);
  });

  it('lets an approver read and decide approvals', () => {
    expect(allowed(['approver'])).toEqual(['read Session', 'read Agent', 'read Tool', 'read Approval', 'decide Approval']);
  });

  it('grants the union of several roles', () => {
    expect(allowed(['viewer', 'approver'])).toEqual(allowed(['approver']));
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
  });
});

describe('tenants and the platform admin', () => {
  const onTenants: [Action, SubjectName][] = [
    ['create', 'Tenant'],
    ['read', 'Tenant'],
    ['update', 'Tenant'],
    ['delete', 'Tenant'],
  ];

  it('lets no tenant role manage tenants, not even an admin (whose rules are on "all")', () => {
    for (const role of ['admin', 'operator', 'viewer', 'approver'] as const) {
      const ability = abilityFor('demo', [role]);
      expect(onTenants.filter(([action, on]) => ability.can(action, on))).toEqual([]);
    }
  });

  it('lets the platform admin manage tenants and nothing inside one', () => {
    const platform = platformAdminAbility();
    expect(onTenants.every(([action, on]) => platform.can(action, on))).toBe(true);
    expect(everything.filter(([action, on]) => platform.can(action, on))).toEqual([]);
    expect(platform.can('read', 'AdminEvent')).toBe(false);
    expect(platform.can('read', subject('Session', { tenantId: 'demo' }))).toBe(false);
  });

  it("lets a tenant admin read its tenant's admin events, and a viewer not", () => {
    expect(abilityFor('demo', ['admin']).can('read', 'AdminEvent')).toBe(true);
    expect(abilityFor('demo', ['viewer']).can('read', 'AdminEvent')).toBe(false);
  });
});
