import type { Answer } from '@agent-orchestrator/client';
import { useQuery } from '@tanstack/react-query';
import { useClient } from '../../auth/credentials';

export type Tool = Answer<'/v1/tools/{name}', 'get'>;
export type ToolOperation = Tool['operations'][number];

export function useTools() {
  const client = useClient();
  return useQuery({ queryKey: ['tools'], queryFn: async () => (await client.raw.GET('/v1/tools')).data!.items });
}

/** One tool at its latest version, or at `version`. */
export function useTool(name: string, version?: number) {
  const client = useClient();
  return useQuery({
    queryKey: ['tools', name, version ?? 'latest'],
    queryFn: async () => (await client.raw.GET('/v1/tools/{name}', { params: { path: { name }, query: version === undefined ? {} : { version } } })).data!,
  });
}
