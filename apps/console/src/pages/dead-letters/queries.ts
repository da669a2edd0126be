import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useClient } from '../../auth/credentials';
import { queryOf, replayRoutes, segment } from '../operations/replay-api';

/** One dead letter as GET /v1/dead-letters lists it: a message a consumer group gave up on, or a parked tool call. */
export interface DeadLetter {
  readonly id: string;
  readonly source: 'dead-letter' | 'parked-call' | (string & {});
  /** null for a message that could not be decoded: the platform admin's alone. */
  readonly tenantId: string | null;
  readonly consumer: string;
  readonly errorCode: string;
  readonly reason: string;
  readonly attempts: number;
  readonly sourceTopic: string | null;
  readonly sourcePartition: number | null;
  readonly sourceOffset: string | null;
  readonly sessionId: string | null;
  readonly tool: string | null;
  readonly messageType: string | null;
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** pending: waits for an operator; redriven: sent again; discarded: let go with a reason; resolved: handled since. */
  readonly status: 'pending' | 'redriven' | 'discarded' | 'resolved' | (string & {});
  readonly redriveCount: number;
  readonly discardReason: string | null;
  readonly actedBy: string | null;
  readonly actedAt: string | null;
}

/** GET /v1/dead-letters/:id: the list's fields and the message as it was, decoded. */
export interface DeadLetterDetail extends DeadLetter {
  readonly key: string | null;
  readonly headers: Readonly<Record<string, string>>;
  /** The value decoded (JSON when it parses, else text); null when there was none. */
  readonly value: unknown;
}

export interface DeadLetterFilter {
  readonly consumer?: string;
  readonly code?: string;
  readonly tool?: string;
  readonly status?: string;
  readonly since?: string;
  readonly tenant?: string;
}

interface Page {
  readonly items: readonly DeadLetter[];
  readonly nextCursor?: string | null;
  readonly total?: number;
}

export function useDeadLetters(filter: DeadLetterFilter) {
  const client = useClient();
  return useInfiniteQuery({
    queryKey: ['dead-letters', filter],
    queryFn: async ({ pageParam }) => (await replayRoutes(client).GET('/v1/dead-letters', { params: { query: queryOf({ ...filter, limit: 50, cursor: pageParam }) } })).data as Page,
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    refetchInterval: 15_000,
  });
}

export function useDeadLetter(deadLetterId: string) {
  const client = useClient();
  return useQuery({
    queryKey: ['dead-letters', 'one', deadLetterId],
    queryFn: async () => (await replayRoutes(client).GET(`/v1/dead-letters/${segment(deadLetterId)}`)).data as DeadLetterDetail,
  });
}
