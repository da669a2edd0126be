import type { AgentOrchestratorClient } from '@agent-orchestrator/client';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useClient } from '../../auth/credentials';
import { foldSessionTree, type RunNode, type TreeEvent } from './session-tree';

export type SessionStreams = Awaited<ReturnType<AgentOrchestratorClient['sessions']['streams']>>;
export type SessionView = Awaited<ReturnType<AgentOrchestratorClient['sessions']['get']>>;

/** Where following the session stands: loading its log, following it, reconnecting after a drop, done. */
export type Following = { readonly state: 'loading' | 'live' | 'ended' } | { readonly state: 'reconnecting'; readonly attempt: number } | { readonly state: 'failed'; readonly error: unknown };

const endings = new Set(['SessionCompleted', 'SessionFailed', 'SessionCancelled']);
const finished = new Set(['completed', 'failed', 'cancelled']);

/**
 * A session as it happens: its summary and every stream of its work (REST), and its log followed
 * over the live WebSocket from the last version read. Each live event refreshes the summary and
 * the streams (which hold the runs' model and tool calls the live socket does not carry), a
 * little later so a burst of events costs one read. The other streams are written by other
 * services, often just after the session event that announced them, so they are also read again
 * every 3 s until the session ends, and once more when it does. Following stops when the session
 * ends or the page goes away.
 */
export function useSessionRun(sessionId: string) {
  const client = useClient();
  const queries = useQueryClient();
  const [live, setLive] = useState<ReadonlyMap<string, TreeEvent>>(new Map());
  const [following, setFollowing] = useState<Following>({ state: 'loading' });
  const refresh = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const summary = useQuery({
    queryKey: ['session', sessionId],
    queryFn: () => client.sessions.get(sessionId),
    // The read model can trail the live event that made a refresh: ask again now and then until the session ends.
    refetchInterval: (query) => (finished.has(query.state.data?.status ?? '') ? false : 3000),
  });
  const ended = finished.has(summary.data?.status ?? '');
  const streams = useQuery({
    queryKey: ['session-streams', sessionId],
    queryFn: () => client.sessions.streams(sessionId),
    refetchInterval: ended ? false : 3000,
  });
  const seenRunning = useRef(false);
  const running = summary.data !== undefined && !ended;
  useEffect(() => {
    // The last events of the other streams can land after the session's own ending: read them once more.
    if (running) seenRunning.current = true;
    else if (ended && seenRunning.current) {
      seenRunning.current = false;
      void queries.invalidateQueries({ queryKey: ['session-streams', sessionId] });
    }
  }, [running, ended, queries, sessionId]);

  useEffect(() => {
    // One session per mount (SessionPage keys on the id), so the state starts empty here.
    const abort = new AbortController();
    const refreshSoon = () => {
      clearTimeout(refresh.current);
      refresh.current = setTimeout(() => {
        void queries.invalidateQueries({ queryKey: ['session', sessionId] });
        void queries.invalidateQueries({ queryKey: ['session-streams', sessionId] });
      }, 250);
    };
    const keep = (events: readonly TreeEvent[]) =>
      setLive((current) => {
        const next = new Map(current);
        for (const event of events) next.set(event.eventId, event);
        return next;
      });

    void (async () => {
      try {
        // The log so far, then the live stream from the version after the last one read.
        let fromVersion = 0;
        let ended = false;
        for await (const event of client.sessions.allEvents(sessionId, { limit: 1000 })) {
          keep([event]);
          fromVersion = event.streamVersion + 1;
          ended ||= endings.has(event.type);
        }
        if (ended) return setFollowing({ state: 'ended' });
        setFollowing({ state: 'live' });
        const messages = client.sessions.live(sessionId, {
          fromVersion,
          signal: abort.signal,
          onReconnect: ({ failures }) => setFollowing({ state: 'reconnecting', attempt: failures }),
        });
        for await (const message of messages) {
          keep([message.kind === 'event' ? message.event : message.approval]);
          setFollowing({ state: 'live' });
          refreshSoon();
        }
        setFollowing({ state: 'ended' });
      } catch (error) {
        if (!abort.signal.aborted) setFollowing({ state: 'failed', error });
      }
    })();
    return () => {
      abort.abort();
      clearTimeout(refresh.current);
    };
  }, [client, queries, sessionId]);

  const tree: RunNode = useMemo(() => {
    const stored = (streams.data?.streams ?? []).flatMap((stream) => stream.links.map((link) => link.event as TreeEvent));
    return foldSessionTree(sessionId, [...stored, ...live.values()]);
  }, [sessionId, streams.data, live]);

  return { summary, streams, tree, following, liveEvents: live.size };
}
