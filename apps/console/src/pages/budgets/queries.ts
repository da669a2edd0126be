import type { Answer } from '@agent-orchestrator/client';
import { useQuery } from '@tanstack/react-query';
import { useClient } from '../../auth/credentials';

export type Budget = Answer<'/v1/budgets', 'get'>['items'][number];

/** Refreshed now and then: use moves while runs spend. */
export function useBudgets() {
  const client = useClient();
  return useQuery({ queryKey: ['budgets'], queryFn: async () => (await client.raw.GET('/v1/budgets')).data!.items, refetchInterval: 10_000 });
}
