import { AbilityBuilder, createMongoAbility, type ForcedSubject, type MongoAbility } from '@casl/ability';
import type { Role } from './roles.js';

export type Action = 'manage' | 'create' | 'read' | 'update' | 'revoke' | 'cancel' | 'decide' | 'delete';
/**
 * What a route acts on. The audit trail is two subjects, because their readers differ:
 * `SessionLog` (the session list and each session's event log, REST and live), which everyone who
 * follows sessions reads, and `AdminLog` (the tenant's admin stream), which names keys and secrets
 * and so is kept to admins and auditors. The signed audit trail (`AuditExport`, `AuditKey`,
 * `AuditCheckpoint`, `AuditRetention`) is the auditors' and admins': an auditor requests exports
 * and checkpoints and reads keys and retention; only an admin rotates the key or changes
 * retention. `Tenant` is the platform's, not a tenant's: only the platform admin has it.
 * `Operation` (SRE bulk operations: redrives, discards, rebuilds, replays) is the operators' and
 * admins' on their own tenant's items, and the platform admin's on every tenant's.
 * `Usage` (tokens, cost and the dashboard) is for those who answer for spending and operations:
 * admins, operators and auditors; not approvers or viewers, who follow sessions but are not shown
 * what the tenant spends, nor its dead letters. `Price` is read by the same roles; only the
 * platform admin sets prices (they are the platform's costs, and every tenant's usage follows them).
 * `PlatformAlert` and `PlatformAlertWebhook` (alerts of no tenant: a stalled projection, dead
 * letters of no tenant, and where they are delivered) are the platform admin's alone.
 */
export type SubjectName =
  | 'ApiKey'
  | 'Session'
  | 'SessionLog'
  | 'AdminEvent'
  | 'Agent'
  | 'Tool'
  | 'Approval'
  | 'Policy'
  | 'Secret'
  | 'Egress'
  | 'Budget'
  | 'Tenant'
  | 'RoleMapping'
  | 'AuditExport'
  | 'AuditKey'
  | 'AuditCheckpoint'
  | 'AuditRetention'
  | 'DeadLetter'
  | 'Projection'
  | 'Operation'
  | 'Usage'
  | 'Price'
  | 'Alert'
  | 'AlertWebhook'
  | 'PlatformAlert'
  | 'PlatformAlertWebhook';
/** A subject type, or one record of it tagged with `subject()` from @casl/ability. */
export type Subject = SubjectName | 'all' | (ForcedSubject<SubjectName> & { readonly tenantId: string });
export type GatewayAbility = MongoAbility<[Action, Subject]>;

/** What one role may do, written as CASL rules on the caller's tenant. */
export type Grant = (can: AbilityBuilder<GatewayAbility>['can'], own: { readonly tenantId: string }) => void;

/**
 * One ability per role: what it may do, each rule on the caller's own tenant (`own`). A key's
 * ability is the union of its roles'. The README's role table is generated from this
 * (`npm run docs:roles`).
 */
export const roleAbilities: Readonly<Record<Role, Grant>> = {
  admin: (can, own) => {
    can('manage', 'all', own);
  },
  operator: (can, own) => {
    can(['create', 'read', 'cancel'], 'Session', own);
    can('read', ['SessionLog', 'Agent', 'Tool', 'Policy'], own);
    can(['read', 'decide'], 'Approval', own);
    can('read', 'DeadLetter', own);
    can('read', 'Projection', own);
    can(['create', 'read', 'update'], 'Operation', own);
    can('read', ['Usage', 'Price'], own);
    can('read', 'Alert', own);
    can('read', 'Budget', own);
  },
  approver: (can, own) => {
    can('read', ['Session', 'SessionLog', 'Agent', 'Tool', 'Approval', 'Policy'], own);
    can('decide', 'Approval', own);
  },
  // The audit trail and nothing else: not a session's summary, approvals' arguments, tools,
  // policies, secrets or keys. Exports and checkpoints only add to the trail; rotating its key
  // and shortening what is kept are the admin's.
  auditor: (can, own) => {
    can('read', ['SessionLog', 'AdminEvent', 'AuditExport', 'AuditKey', 'AuditCheckpoint', 'AuditRetention'], own);
    can('create', ['AuditExport', 'AuditCheckpoint'], own);
    can('read', ['Usage', 'Price'], own);
    // What the tenant may spend on models, and how much it has: cost is part of what an audit checks.
    can('read', 'Budget', own);
  },
  // Viewers keep the session logs: a session's summary, which they read, is made from the same
  // events, so hiding the log would hide little and leave them no timeline to follow.
  viewer: (can, own) => {
    can('read', ['Session', 'SessionLog', 'Agent', 'Tool', 'Approval', 'Policy'], own);
  },
};

/**
 * What a set of roles may do. Every rule carries the caller's tenant as a condition, so a check
 * on a record of another tenant fails even for an admin. A route-level check (on a subject type,
 * not a record) asks only whether some rule could allow it; the tenant is then enforced by the
 * queries, which always filter on the caller's tenant.
 */
export function abilityFor(tenantId: string, granted: readonly Role[]): GatewayAbility {
  return abilityOf(tenantId, granted.map((role) => roleAbilities[role]));
}

/** The union of some grants in one tenant. */
export function abilityOf(tenantId: string, grants: readonly Grant[]): GatewayAbility {
  const { can, cannot, build } = new AbilityBuilder<GatewayAbility>(createMongoAbility);
  for (const grant of grants) grant(can, { tenantId });
  // Whatever a role grants on 'all', tenants are managed by the platform admin alone.
  cannot('manage', 'Tenant');
  // Prices are the platform's, set by its admin alone: a tenant's admin reads them.
  cannot('update', 'Price');
  // The platform's alerts say nothing of one tenant and are no tenant's to read or route.
  cannot('manage', ['PlatformAlert', 'PlatformAlertWebhook']);
  return build();
}

/**
 * The platform admin (PLATFORM_ADMIN_API_KEY): manages tenants and runs operations across them,
 * reads the dead letters of every tenant (and those of no tenant: messages that could not be
 * decoded) and the projections' status; nothing else inside one.
 */
export const platformAdminGrant: Grant = (can) => {
  can('manage', 'Tenant');
  can('read', 'DeadLetter');
  can('read', 'Projection');
  // Operations act across tenants (a redrive after an outage, a projection rebuild): the operations routes scope them to the platform.
  can('manage', 'Operation');
  // Usage across tenants (a tenant's own, or all of them); the prices every tenant's usage is priced at.
  can('read', 'Usage');
  can(['read', 'update'], 'Price');
  // The platform's own alerts and their webhook; never a tenant's alerts.
  can('read', 'PlatformAlert');
  can(['read', 'update'], 'PlatformAlertWebhook');
};

export function platformAdminAbility(): GatewayAbility {
  const { can, build } = new AbilityBuilder<GatewayAbility>(createMongoAbility);
  platformAdminGrant(can, { tenantId: '' });
  return build();
}
