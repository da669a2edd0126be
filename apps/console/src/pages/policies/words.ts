import type { PolicyRule } from './queries';

export const effectColours: Record<string, string> = { allow: 'teal', deny: 'red', require_approval: 'orange' };
export const effectWords: Record<string, string> = { allow: 'allow', deny: 'deny', require_approval: 'require approval' };

/** What a rule matches, one phrase per criterion; a rule with none matches every call. */
export function matchWords(match: PolicyRule['match']): string[] {
  const said: string[] = [];
  const list = (label: string, values?: readonly string[]) => values && said.push(`${label}: ${values.join(', ')}`);
  list('agents', match?.agents);
  list('tools', match?.tools);
  list('operations', match?.operations);
  list('methods', match?.methods?.map((method) => method.toUpperCase()));
  list('scopes', match?.scopes);
  if (match?.sessionCostUsdAtLeast !== undefined) said.push(`session cost ≥ $${match.sessionCostUsdAtLeast}`);
  if (match?.sessionTokensAtLeast !== undefined) said.push(`session tokens ≥ ${match.sessionTokensAtLeast}`);
  return said;
}

export function durationWords(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

export function approvalWords(approval: PolicyRule['approval']): string | undefined {
  if (!approval) return undefined;
  const { role = 'approver', approvers = 1, expiresInSeconds = 86400, onExpiry = 'fail' } = approval;
  return `${approvers} × ${role}, within ${durationWords(expiresInSeconds)}, then ${onExpiry === 'fail' ? 'refused' : 'escalated to admins'}`;
}
