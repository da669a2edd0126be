import type { Answer } from '@agent-orchestrator/client';
import { useQuery } from '@tanstack/react-query';
import { useClient } from '../../auth/credentials';

export type Agent = Answer<'/v1/agents/{name}', 'get'>;

export function useAgents() {
  const client = useClient();
  return useQuery({ queryKey: ['agents'], queryFn: async () => (await client.raw.GET('/v1/agents')).data!.items });
}

/** One agent at its latest version, or at `version` (a version never changes, so it is kept). */
export function useAgent(name: string, version?: number) {
  const client = useClient();
  return useQuery({
    queryKey: ['agents', name, version ?? 'latest'],
    queryFn: async () => (await client.raw.GET('/v1/agents/{name}', { params: { path: { name }, query: version === undefined ? {} : { version } } })).data!,
    ...(version === undefined ? {} : { staleTime: Infinity }),
  });
}
