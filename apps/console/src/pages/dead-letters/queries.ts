import type { Answer, QueryOf } from '@agent-orchestrator/client';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useClient } from '../../auth/credentials';

/** One dead letter as GET /v1/dead-letters lists it: a message a consumer group gave up on, or a parked tool call. */
export type DeadLetter = Answer<'/v1/dead-letters', 'get'>['items'][number];
/** GET /v1/dead-letters/:id: the list's fields and the message as it was consumed, decoded. */
export type DeadLetterDetail = Answer<'/v1/dead-letters/{id}', 'get'>;
export type DeadLetterFilter = Omit<QueryOf<'/v1/dead-letters', 'get'>, 'cursor' | 'limit'>;

export function useDeadLetters(filter: DeadLetterFilter) {
  const client = useClient();
  return useInfiniteQuery({
    queryKey: ['dead-letters', filter],
    queryFn: async ({ pageParam }) => (await client.raw.GET('/v1/dead-letters', { params: { query: { ...filter, limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } } })).data!,
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    refetchInterval: 15_000,
  });
}

export function useDeadLetter(id: string) {
  const client = useClient();
  return useQuery({
    queryKey: ['dead-letters', 'one', id],
    queryFn: async () => (await client.raw.GET('/v1/dead-letters/{id}', { params: { path: { id } } })).data!,
  });
}
