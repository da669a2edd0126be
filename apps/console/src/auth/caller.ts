import type { Answer } from '@agent-orchestrator/client';
import { useQuery } from '@tanstack/react-query';
import { useClient } from './credentials';

/**
 * Who the signed-in user is (GET /v1/me): tenant, roles, how they signed in, for the header and
 * for what a page offers. Always of a tenant: the console does not sign in the platform admin.
 */
export type Caller = Omit<Answer<'/v1/me', 'get'>, 'tenantId'> & { readonly tenantId: string };

export const callerQueryKey = ['caller'] as const;

/** Asked once per sign-in (queries are cleared on sign-in and sign-out); undefined until answered. */
export function useCaller(): Caller | undefined {
  const client = useClient();
  const { data } = useQuery({ queryKey: callerQueryKey, queryFn: () => client.me(), staleTime: 5 * 60_000 });
  return data && data.tenantId !== null ? { ...data, tenantId: data.tenantId } : undefined;
}
