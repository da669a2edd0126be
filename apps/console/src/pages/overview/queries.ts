import type { Answer, ItemOf } from '@agent-orchestrator/client';
import { useQuery } from '@tanstack/react-query';
import { useClient } from '../../auth/credentials';

/** The overview stays current while it is open, without anyone reloading it. */
const refetchInterval = 15_000;

export type SessionSummary = Answer<'/v1/sessions/summary', 'get'>;
export type FailedSession = ItemOf<Answer<'/v1/sessions', 'get'>>;
export type Approval = ItemOf<Answer<'/v1/approvals', 'get'>>;

export function useSessionSummary() {
  const client = useClient();
  return useQuery({ queryKey: ['sessions', 'summary'], queryFn: () => client.sessions.summary(), refetchInterval });
}

export function useRecentFailures(limit: number) {
  const client = useClient();
  return useQuery({ queryKey: ['sessions', 'list', { status: 'failed', limit }], queryFn: async () => (await client.sessions.list({ status: 'failed', limit })).items, refetchInterval });
}

/** Past this many pending approvals the count reads "N+": the inbox is the place to page through them. */
export const pendingBound = 1000;

export interface PendingApprovals {
  readonly count: number;
  /** More are pending than were counted. */
  readonly more: boolean;
  readonly oldest: Approval | undefined;
}

/**
 * Every pending approval of the tenant (not only those the caller may decide), up to a bound: the
 * list is newest first, so the oldest is the last one read.
 */
export function usePendingApprovals() {
  const client = useClient();
  return useQuery({
    queryKey: ['approvals', 'pending', 'overview'],
    queryFn: async (): Promise<PendingApprovals> => {
      let count = 0;
      let oldest: Approval | undefined;
      for await (const approval of client.approvals.all({ status: 'pending', for: 'all', limit: 200 })) {
        if (count === pendingBound) return { count, more: true, oldest };
        count += 1;
        oldest = approval;
      }
      return { count, more: false, oldest };
    },
    refetchInterval,
  });
}
