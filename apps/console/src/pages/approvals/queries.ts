import type { Decision } from '@agent-orchestrator/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useClient } from '../../auth/credentials';
import { targetOf, type Approval } from './approval';
import { stepContextOf } from './step-context';

/** How often the inbox and an open pending item look again: decisions made elsewhere show within this. */
export const livePollMs = 2000;

export type InboxScope = 'me' | 'all';

const pendingKey = (scope: InboxScope) => ['approvals', 'pending', scope] as const;

/**
 * Every pending approval, `me`: the ones the gateway says this caller may decide; `all`: the
 * tenant's. Polled while the page is visible (TanStack Query pauses in a background tab), so a
 * decision made elsewhere or an expiry leaves the list without a reload.
 */
export function usePendingApprovals(scope: InboxScope, enabled = true) {
  const client = useClient();
  return useQuery({
    queryKey: pendingKey(scope),
    enabled,
    refetchInterval: livePollMs,
    queryFn: async () => {
      const items: Approval[] = [];
      for await (const item of client.approvals.all({ status: 'pending', for: scope })) items.push(item);
      return items;
    },
  });
}

/** One approval, polled while it is pending so that a decision made elsewhere shows in the open detail. */
export function useApproval(approvalId: string | undefined) {
  const client = useClient();
  return useQuery({
    queryKey: ['approvals', 'one', approvalId],
    enabled: approvalId !== undefined,
    queryFn: () => client.approvals.get(approvalId!),
    refetchInterval: (query) => (query.state.data?.status === 'pending' ? livePollMs : false),
  });
}

/**
 * The registry's description of the held operation, at the tool version the session pinned: its
 * method, path and `inputSchema` (what edited arguments are checked against).
 */
export function useOperation(approval: Approval | undefined) {
  const client = useClient();
  const target = approval ? targetOf(approval) : undefined;
  return useQuery({
    queryKey: ['tools', target?.tool, target?.version],
    enabled: target !== undefined,
    staleTime: Infinity, // a tool version never changes once registered
    queryFn: async () => {
      const { data } = await client.raw.GET('/v1/tools/{name}', { params: { path: { name: target!.tool }, query: target!.version === undefined ? {} : { version: target!.version } } });
      return data!;
    },
    select: (tool) => tool.operations.find((operation) => operation.name === target?.operation),
  });
}

/** The session around the held call: its plan and the outputs of the steps done before the call was held. */
export function useStepContext(approval: Approval | undefined) {
  const client = useClient();
  return useQuery({
    queryKey: ['sessions', approval?.sessionId, 'events'],
    enabled: approval !== undefined,
    staleTime: 10_000,
    queryFn: async () => {
      const events = [];
      for await (const event of client.sessions.allEvents(approval!.sessionId, { limit: 500 })) events.push(event);
      return events;
    },
    select: (events) => stepContextOf(events, approval!),
  });
}

export interface DecisionRequest {
  readonly approval: Approval;
  readonly decision: Decision;
}

/** Sends a decision; on success the item leaves the cached inboxes at once (the next poll agrees). */
export function useDecide() {
  const client = useClient();
  const queries = useQueryClient();
  return useMutation({
    mutationFn: ({ approval, decision }: DecisionRequest) => client.approvals.decide(approval.approvalId, decision),
    onSuccess: (_answer, { approval }) => {
      for (const scope of ['me', 'all'] as const) {
        queries.setQueryData<Approval[]>(pendingKey(scope), (items) => items?.filter((item) => item.approvalId !== approval.approvalId));
      }
      void queries.invalidateQueries({ queryKey: ['approvals'] });
    },
  });
}
