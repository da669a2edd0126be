import { useQuery } from '@tanstack/react-query';
import { useClient } from '../../auth/credentials';
import { useRoles } from '../../auth/caller';
import { alertFallbackPollMs, useAlertsLiveState } from './live';

export type { AlertItem } from './format';
import type { AlertItem } from './format';

export type AlertFilter = 'open' | 'resolved' | 'all';

/** The roles the gateway lists alerts to: a link or an indicator that can only answer 403 is no help. */
export const alertRoles: readonly string[] = ['admin', 'operator'];

/** Alerts arrive over the live socket (see live.ts); only while it is lost do the page and the indicator poll, slowly. */
function useFallbackPoll(): number | false {
  return useAlertsLiveState() === 'lost' ? alertFallbackPollMs : false;
}

export function useAlerts(filter: AlertFilter) {
  const client = useClient();
  const refetchInterval = useFallbackPoll();
  return useQuery({
    queryKey: ['alerts', filter],
    refetchInterval,
    queryFn: async () => {
      const answer = await client.raw.GET('/v1/alerts', { params: { query: { limit: 200, ...(filter === 'all' ? {} : { status: filter }) } } });
      return answer.data!.items as readonly AlertItem[];
    },
  });
}

/** The open alerts, for the shell's live indicator; nothing is asked for roles that may not read them. */
export function useOpenAlerts() {
  const client = useClient();
  const roles = useRoles() ?? [];
  const refetchInterval = useFallbackPoll();
  return useQuery({
    queryKey: ['alerts', 'open'],
    enabled: roles.some((role) => alertRoles.includes(role)),
    refetchInterval,
    queryFn: async () => (await client.raw.GET('/v1/alerts', { params: { query: { status: 'open', limit: 200 } } })).data!.items as readonly AlertItem[],
  });
}
