/**
 * What an API key may do in its tenant. admin: everything, including API keys, policies and
 * secrets. operator: runs sessions, reads agents and tools, decides approvals. viewer: reads.
 * approver: reads and decides approvals. auditor: reads the audit trail (the session logs and the
 * tenant's admin stream) and nothing else. Policies name these roles as approvers. The gateway's
 * abilities say exactly what each may do (the README's role table is generated from them).
 */
export const roles = ['admin', 'operator', 'viewer', 'approver', 'auditor'] as const;
export type Role = (typeof roles)[number];

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}
