import type { Answer } from '@agent-orchestrator/client';
import { useQuery } from '@tanstack/react-query';
import { useClient } from '../../auth/credentials';

export type Policy = Answer<'/v1/policies', 'get'>;
export type PolicyRule = NonNullable<Policy['rules']>[number];
export type PolicyVersionSummary = Answer<'/v1/policies/versions', 'get'>['items'][number];

export function usePolicy() {
  const client = useClient();
  return useQuery({ queryKey: ['policies', 'current'], queryFn: async () => (await client.raw.GET('/v1/policies')).data! });
}

export function usePolicyVersions() {
  const client = useClient();
  return useQuery({ queryKey: ['policies', 'versions'], queryFn: async () => (await client.raw.GET('/v1/policies/versions')).data!.items });
}

/** One version as it stood; versions never change once set, so each is read once. */
export function usePolicyVersion(version: number | undefined) {
  const client = useClient();
  return useQuery({
    queryKey: ['policies', 'version', version],
    enabled: version !== undefined,
    staleTime: Infinity,
    queryFn: async () => (await client.raw.GET('/v1/policies/versions/{version}', { params: { path: { version: version! } } })).data!,
  });
}

/** The policy document alone (what a PUT sends), without version, time or author: what a diff compares. */
export function documentOf(policy: { allowedTools?: readonly string[]; rules?: readonly PolicyRule[]; defaultEffect?: string }) {
  return { ...(policy.allowedTools === undefined ? {} : { allowedTools: policy.allowedTools }), rules: policy.rules ?? [], defaultEffect: policy.defaultEffect ?? 'allow' };
}
