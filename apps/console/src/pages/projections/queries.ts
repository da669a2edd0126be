import { useQuery } from '@tanstack/react-query';
import { useClient } from '../../auth/credentials';
import { replayRoutes } from '../operations/replay-api';

/** One projection as GET /v1/projections reports it (the projections' `projection_status` row, its state read at the time of asking). */
export interface Projection {
  readonly projection: string;
  readonly version: number;
  /** The log position it has applied, opaque. */
  readonly position: string | null;
  /** Events in the log it has not applied yet, counted up to a limit (`lagCapped`: at least this many). */
  readonly lag: number;
  readonly lagCapped?: boolean;
  readonly eventsPerSecond: number;
  readonly lastAdvanceAt: string | null;
  /** running | caught-up | stalled (behind and not advancing, or its process gone) | rebuilding. */
  readonly state: string;
  readonly quarantined: number;
  /** A rebuild or retry its hosting process is running, with its progress. */
  readonly operation?: { readonly operationId: string; readonly kind: string; readonly status: string; readonly done: number; readonly total: number } | null;
}

/** Refreshed often: a stall is worth seeing within seconds. */
export function useProjections() {
  const client = useClient();
  return useQuery({
    queryKey: ['projections'],
    queryFn: async () => {
      const answer = (await replayRoutes(client).GET('/v1/projections')).data as { items: readonly Projection[] } | readonly Projection[];
      return 'items' in answer ? answer.items : answer;
    },
    refetchInterval: 5000,
  });
}
