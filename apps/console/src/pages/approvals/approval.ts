import type { Answer } from '@agent-orchestrator/client';

/** One approval as the gateway describes it (the inbox items and the detail share the shape). */
export type Approval = Answer<'/v1/approvals/{id}', 'get'>;

/** What the held call touches, as the policy rule saw it: the registry tool, its version, the operation and its HTTP method. */
export interface CallTarget {
  readonly tool: string;
  readonly version?: number;
  readonly operation?: string;
  readonly method?: string;
}

/**
 * The record's `target` is open-ended JSON; read the fields the console needs and fall back to the
 * agent-facing tool name (`crm__updateCustomer` is operation `updateCustomer` of tool `crm`).
 */
export function targetOf(approval: Pick<Approval, 'tool' | 'target'>): CallTarget {
  const target = (typeof approval.target === 'object' && approval.target !== null ? approval.target : {}) as Record<string, unknown>;
  const [toolFromName, operationFromName] = approval.tool.includes('__') ? approval.tool.split('__', 2) : [approval.tool, undefined];
  return {
    tool: typeof target.tool === 'string' ? target.tool : toolFromName!,
    ...(typeof target.version === 'number' ? { version: target.version } : {}),
    ...(typeof target.operation === 'string' ? { operation: target.operation } : operationFromName ? { operation: operationFromName } : {}),
    ...(typeof target.method === 'string' ? { method: target.method } : {}),
  };
}

/** How a person names the call: `crm.updateCustomer`. */
export function callName(approval: Pick<Approval, 'tool' | 'target'>): string {
  const target = targetOf(approval);
  return target.operation ? `${target.tool}.${target.operation}` : target.tool;
}

export const shortId = (id: string): string => id.slice(0, 8);

export const orders = {
  expiry: 'Expires soonest',
  newest: 'Newest first',
} as const;
export type InboxOrder = keyof typeof orders;

/**
 * `expiry`: the one that runs out first, then the newest among equals (a reviewer's deadline
 * matters more than arrival). `newest`: the latest request first, then the one expiring first.
 */
export function sortApprovals(items: readonly Approval[], order: InboxOrder): Approval[] {
  const time = (iso: string) => Date.parse(iso);
  const byExpiry = (a: Approval, b: Approval) => time(a.expiresAt) - time(b.expiresAt);
  const byNewest = (a: Approval, b: Approval) => time(b.requestedAt) - time(a.requestedAt);
  const [first, then] = order === 'expiry' ? [byExpiry, byNewest] : [byNewest, byExpiry];
  return [...items].sort((a, b) => first(a, b) || then(a, b) || a.approvalId.localeCompare(b.approvalId));
}

export interface InboxFilter {
  readonly agent?: string;
  readonly tool?: string;
  readonly session?: string;
}

export function matches(approval: Approval, filter: InboxFilter): boolean {
  return (
    (!filter.agent || approval.agent === filter.agent) &&
    (!filter.tool || targetOf(approval).tool === filter.tool) &&
    (!filter.session || approval.sessionId === filter.session)
  );
}
