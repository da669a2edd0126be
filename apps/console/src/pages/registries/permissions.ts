import { useQuery } from '@tanstack/react-query';
import { useCaller } from '../../auth/caller';
import { useClient } from '../../auth/credentials';

/**
 * Whether the signed-in user may change registries (register tools, define and change agents, set
 * the policy): the gateway grants these to admins only. Undefined while not yet known, so a page
 * offers nothing it may have to take back.
 *
 * The roles come from `useCaller()` (GET /v1/me). Until that knows them, the API is asked
 * something only an admin may read (the key list, GET /v1/api-keys): a 403 there is a "no".
 */
export function useMayManageRegistries(): boolean | undefined {
  const caller = useCaller();
  const client = useClient();
  const probe = useQuery({
    queryKey: ['registries', 'may-manage'],
    enabled: caller === undefined,
    staleTime: Infinity,
    retry: false,
    queryFn: async () => {
      try {
        await client.raw.GET('/v1/api-keys');
        return true;
      } catch {
        return false;
      }
    },
  });
  if (caller) return caller.roles.includes('admin');
  return probe.data;
}
