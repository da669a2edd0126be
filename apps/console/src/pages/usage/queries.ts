import type { Answer, QueryOf } from '@agent-orchestrator/client';
import { useQuery } from '@tanstack/react-query';
import { useClient } from '../../auth/credentials';

export type UsageReport = Answer<'/v1/usage', 'get'>;
export type UsageQuery = Pick<QueryOf<'/v1/usage', 'get'>, 'from' | 'to' | 'groupBy'>;
export type Dashboard = Answer<'/v1/dashboard', 'get'>;
export type UsageGrouping = UsageReport['groupBy'];

export function useUsage(query: UsageQuery, enabled = true) {
  const client = useClient();
  return useQuery({
    queryKey: ['usage', query],
    queryFn: async () => (await client.raw.GET('/v1/usage', { params: { query: { ...query, limit: 200 } } })).data!,
    enabled,
    refetchInterval: 30_000,
  });
}

export function useDashboard(days: number) {
  const client = useClient();
  return useQuery({
    queryKey: ['dashboard', days],
    queryFn: async () => (await client.raw.GET('/v1/dashboard', { params: { query: { days } } })).data!,
    refetchInterval: 30_000,
  });
}
