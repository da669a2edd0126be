import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import { useClient } from '../../auth/credentials';

/**
 * Where the alerts' live socket stands: connecting (the first time), live (the server follows the
 * tenant's alerts for us), or lost (closed; reconnecting, and polling slowly meanwhile).
 */
export type AlertsLiveState = 'connecting' | 'live' | 'lost';

let state: AlertsLiveState = 'connecting';
const listeners = new Set<() => void>();
function setState(next: AlertsLiveState): void {
  if (next === state) return;
  state = next;
  for (const listener of listeners) listener();
}

export function useAlertsLiveState(): AlertsLiveState {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => state,
  );
}

/** How often the alerts are read again while the socket is down: a fallback, not the way they arrive. */
export const alertFallbackPollMs = 30_000;

/** Waits before the next connection after `failures` in a row: 1, 2, 4 … up to 30 seconds. */
export const reconnectDelayMs = (failures: number): number => Math.min(1000 * 2 ** Math.max(0, failures - 1), 30_000);

/**
 * Follows the tenant's alerts over `GET /v1/alerts/live` (a fresh single-use ticket per
 * connection, so no key lands in a URL). When the server says it follows, and on each alert raised
 * or resolved, the alert queries are read again, so the page and the shell's indicator change as
 * the alert does; a read after `following` misses nothing in between. On a lost connection it
 * reconnects with backoff, and the queries poll slowly meanwhile (alertFallbackPollMs). Mounted
 * once, by the shell's indicator, only for roles that read alerts.
 */
export function useFollowAlerts(enabled: boolean): void {
  const client = useClient();
  const queries = useQueryClient();
  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    let socket: WebSocket | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    const reread = () => void queries.invalidateQueries({ queryKey: ['alerts'] });
    const reconnect = () => {
      if (stopped) return;
      setState('lost');
      failures += 1;
      retry = setTimeout(() => void connect(), reconnectDelayMs(failures));
    };
    const connect = async () => {
      try {
        const { ticket } = await client.wsTickets.create();
        if (stopped) return;
        const url = new URL(`/v1/alerts/live?${new URLSearchParams({ ticket })}`, window.location.href);
        url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
        socket = new WebSocket(url);
        socket.addEventListener('message', (message) => {
          const frame = JSON.parse(String(message.data)) as { following?: unknown; alert?: unknown };
          if (frame.following !== undefined) {
            failures = 0;
            setState('live');
          }
          reread();
        });
        socket.addEventListener('close', reconnect);
      } catch {
        reconnect();
      }
    };
    void connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      socket?.close();
      setState('connecting');
    };
  }, [client, queries, enabled]);
}
