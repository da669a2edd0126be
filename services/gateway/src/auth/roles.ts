/**
 * admin: everything in its tenant, including API keys. operator: runs sessions, reads agents and tools,
 * decides approvals. viewer: reads. approver: reads and decides approvals.
 */
export const roles = ['admin', 'operator', 'viewer', 'approver'] as const;
export type Role = (typeof roles)[number];

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}
