import { useQuery } from '@tanstack/react-query';
import { useClient } from '../../auth/credentials';
import { usePlatformAdmin, useRoles } from '../../auth/caller';
import { alertFallbackPollMs, useAlertsLiveState } from './live';

export type { AlertItem } from './format';
import type { AlertItem } from './format';

export type AlertFilter = 'open' | 'resolved' | 'all';

/** The roles the gateway lists alerts to: a link or an indicator that can only answer 403 is no help. */
export const alertRoles: readonly string[] = ['admin', 'operator'];

/**
 * How often the platform admin's console reads the platform's alerts: the browser's socket
 * follows with a ticket, and tickets are a tenant's (the platform admin's key follows the
 * platform's alerts over the socket only from a client that sends the key itself).
 */
export const platformAlertPollMs = 10_000;

/** A tenant's alerts arrive over the live socket (see live.ts); only while it is lost do the page and the indicator poll, slowly. The platform's are polled. */
function usePoll(platform: boolean): number | false {
  const live = useAlertsLiveState();
  if (platform) return platformAlertPollMs;
  return live === 'lost' ? alertFallbackPollMs : false;
}

/** The caller's alerts: the tenant's, or for the platform admin the platform's own (`/v1/platform/alerts`). */
async function listAlerts(client: ReturnType<typeof useClient>, platform: boolean, query: { limit: number; status?: 'open' | 'resolved' }): Promise<readonly AlertItem[]> {
  const answer = platform ? await client.raw.GET('/v1/platform/alerts', { params: { query } }) : await client.raw.GET('/v1/alerts', { params: { query } });
  return answer.data!.items as readonly AlertItem[];
}

export function useAlerts(filter: AlertFilter) {
  const client = useClient();
  const platform = usePlatformAdmin() === true;
  const refetchInterval = usePoll(platform);
  return useQuery({
    queryKey: ['alerts', platform ? 'platform' : 'tenant', filter],
    refetchInterval,
    queryFn: () => listAlerts(client, platform, { limit: 200, ...(filter === 'all' ? {} : { status: filter }) }),
  });
}

/** The open alerts, for the shell's indicator; nothing is asked for roles that may not read them. */
export function useOpenAlerts() {
  const client = useClient();
  const roles = useRoles() ?? [];
  const platform = usePlatformAdmin() === true;
  const refetchInterval = usePoll(platform);
  return useQuery({
    queryKey: ['alerts', platform ? 'platform' : 'tenant', 'open'],
    enabled: platform || roles.some((role) => alertRoles.includes(role)),
    refetchInterval,
    queryFn: () => listAlerts(client, platform, { status: 'open', limit: 200 }),
  });
}
