/**
 * What an API key may do in its tenant. admin: everything, including API keys, policies and
 * secrets. operator: runs sessions, reads agents and tools, decides approvals. viewer: reads.
 * approver: reads and decides approvals. Policies name these roles as approvers.
 */
export const roles = ['admin', 'operator', 'viewer', 'approver'] as const;
export type Role = (typeof roles)[number];

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}
