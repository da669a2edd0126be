import { useQuery } from '@tanstack/react-query';
import { useClient } from '../../auth/credentials';
import { replayRoutes } from '../operations/replay-api';

/** One projection as GET /v1/projections reports it. */
export interface Projection {
  readonly name: string;
  readonly version: number;
  /** The log position it has applied, opaque. */
  readonly position: string | null;
  /** Events in the log it has not applied yet. */
  readonly lag: number;
  readonly eventsPerSecond: number;
  readonly lastAdvanceAt: string | null;
  /** `stalled`: behind, and not advancing. */
  readonly state: string;
  readonly quarantined: number;
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
