import { sessionStream } from '@agent-orchestrator/contracts';
import type { EventStore } from '@agent-orchestrator/event-store';

const endings = new Set(['SessionCompleted', 'SessionFailed', 'SessionCancelled']);

/**
 * Watches a session's log while one of its runs is under way and aborts the signal when the
 * session ends (cancelled, failed on a budget or deadline, completed by another path). A run's
 * model call can take minutes, and its handler holds its partition meanwhile: an ended session's
 * run must give that back, not finish work nobody will read. The session's own events arrive on
 * the very partition the run holds, so the watch reads the log instead of waiting for them.
 */
export function watchSessionEnd(store: EventStore, sessionId: string, everyMs = 1000): { readonly signal: AbortSignal; readonly ending: () => string | undefined; stop(): void } {
  const controller = new AbortController();
  let ending: string | undefined;
  let looking = false;
  const look = async () => {
    if (looking) return;
    looking = true;
    try {
      const [last] = await store.readStream(sessionStream(sessionId), { direction: 'backwards', maxCount: 1 });
      if (last && endings.has(last.type)) {
        ending = last.type;
        controller.abort(new Error(`the session ended (${last.type}) while the run was under way`));
      }
    } catch {
      // The next look tries again; a run is never aborted on a failed read.
    } finally {
      looking = false;
    }
  };
  const timer = setInterval(() => void look(), everyMs);
  timer.unref();
  return {
    signal: controller.signal,
    ending: () => ending,
    stop: () => clearInterval(timer),
  };
}
