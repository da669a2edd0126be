import { AbilityBuilder, createMongoAbility, type ForcedSubject, type MongoAbility } from '@casl/ability';
import type { Role } from './roles.js';

export type Action = 'manage' | 'create' | 'read' | 'update' | 'revoke' | 'cancel' | 'decide' | 'delete';
/** Tenant is the platform's, not a tenant's: only the platform admin has it. AdminEvent: the tenant's admin stream. */
export type SubjectName = 'ApiKey' | 'Session' | 'Agent' | 'Tool' | 'Approval' | 'Policy' | 'Secret' | 'Egress' | 'AdminEvent' | 'Tenant' | 'RoleMapping';
/** A subject type, or one record of it tagged with `subject()` from @casl/ability. */
export type Subject = SubjectName | 'all' | (ForcedSubject<SubjectName> & { readonly tenantId: string });
export type GatewayAbility = MongoAbility<[Action, Subject]>;

/**
 * What a set of roles may do. Every rule carries the caller's tenant as a condition, so a check
 * on a record of another tenant fails even for an admin. A route-level check (on a subject type,
 * not a record) asks only whether some rule could allow it; the tenant is then enforced by the
 * queries, which always filter on the caller's tenant.
 */
export function abilityFor(tenantId: string, granted: readonly Role[]): GatewayAbility {
  const { can, cannot, build } = new AbilityBuilder<GatewayAbility>(createMongoAbility);
  const own = { tenantId };
  for (const role of granted) {
    switch (role) {
      case 'admin':
        can('manage', 'all', own);
        break;
      case 'operator':
        can(['create', 'read', 'cancel'], 'Session', own);
        can('read', ['Agent', 'Tool', 'Policy'], own);
        can(['read', 'decide'], 'Approval', own);
        break;
      case 'viewer':
        can('read', ['Session', 'Agent', 'Tool', 'Approval', 'Policy'], own);
        break;
      case 'approver':
        can('read', ['Session', 'Agent', 'Tool', 'Approval', 'Policy'], own);
        can('decide', 'Approval', own);
        break;
      default: {
        const unreachable: never = role;
        throw new Error(`unknown role ${String(unreachable)}`);
      }
    }
  }
  // Whatever a role grants on 'all', tenants are managed by the platform admin alone.
  cannot('manage', 'Tenant');
  return build();
}

/** The platform admin (PLATFORM_ADMIN_API_KEY): manages tenants, and may do nothing inside one. */
export function platformAdminAbility(): GatewayAbility {
  const { can, build } = new AbilityBuilder<GatewayAbility>(createMongoAbility);
  can('manage', 'Tenant');
  return build();
}
