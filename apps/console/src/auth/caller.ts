import type { Answer } from '@agent-orchestrator/client';
import { useQuery } from '@tanstack/react-query';
import { useClient } from './credentials';

/**
 * Who the signed-in user is (GET /v1/me): tenant, roles, how they signed in, for the header and
 * for what a page offers. Always of a tenant: the platform admin (no tenant) signs in to the
 * replay pages only, and reads as `usePlatformAdmin()`.
 */
export type Caller = Omit<Answer<'/v1/me', 'get'>, 'tenantId'> & { readonly tenantId: string };

export const callerQueryKey = ['caller'] as const;

function useMe() {
  const client = useClient();
  return useQuery({ queryKey: callerQueryKey, queryFn: () => client.me(), staleTime: 5 * 60_000 }).data;
}

/** Asked once per sign-in (queries are cleared on sign-in and sign-out); undefined until answered. */
export function useCaller(): Caller | undefined {
  const data = useMe();
  return data && data.tenantId !== null ? { ...data, tenantId: data.tenantId } : undefined;
}

/** Whether the signed-in key is the platform admin's (every tenant's replay work, no tenant's data); undefined until known. */
export function usePlatformAdmin(): boolean | undefined {
  const data = useMe();
  return data === undefined ? undefined : data.tenantId === null;
}

/** The roles as the gateway names them, the platform admin's (`platform-admin`) included. */
export function useRoles(): readonly string[] | undefined {
  return useMe()?.roles;
}
