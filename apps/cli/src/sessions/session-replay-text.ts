import { CliError, exitCodes } from '../exit-codes.js';

/** The filter of a replay-sessions operation, as POST /v1/operations takes it. */
export interface SessionReplayFilter {
  readonly ids?: readonly string[];
  readonly status?: string;
  readonly since?: string;
  readonly until?: string;
}

const queryKeys = ['status', 'since', 'until'] as const;

/**
 * `ao sessions replay <id>` or `--query "status=failed since=2026-11-01T00:00:00Z"`: one session by
 * id, or the sessions a query selects (`key=value` pairs, separated by spaces or commas).
 */
export function replayFilterFrom(sessionId: string | undefined, query: string | undefined): SessionReplayFilter {
  if ((sessionId === undefined) === (query === undefined)) throw new CliError('give a session id or --query, not both and not neither', exitCodes.usage);
  if (sessionId !== undefined) return { ids: [sessionId] };
  const filter: Record<string, string> = {};
  for (const pair of query!.split(/[\s,]+/).filter(Boolean)) {
    const [key, ...rest] = pair.split('=');
    const value = rest.join('=');
    if (!(queryKeys as readonly string[]).includes(key!) || value === '') throw new CliError(`--query takes ${queryKeys.map((k) => `${k}=…`).join(', ')}; got "${pair}"`, exitCodes.usage);
    if (key !== 'status' && Number.isNaN(Date.parse(value))) throw new CliError(`--query ${key} must be an instant (2026-11-01 or 2026-11-01T09:00:00Z); got "${value}"`, exitCodes.usage);
    filter[key!] = key === 'status' ? value : new Date(value).toISOString();
  }
  if (Object.keys(filter).length === 0) throw new CliError('--query names no status, since or until', exitCodes.usage);
  return filter;
}

/** One replayed session as the operation's items list it. */
export interface ReplayedSession {
  readonly itemId: string;
  readonly outcome: 'succeeded' | 'failed' | 'skipped' | string;
  readonly detail?: unknown;
}

/** What a person reads per session: identical, or where it first differs and both versions of the event there. */
export function replayLines(items: readonly ReplayedSession[]): string[] {
  return items.flatMap((item) => {
    const detail = (typeof item.detail === 'object' && item.detail !== null ? item.detail : {}) as Record<string, unknown>;
    if (item.outcome === 'succeeded') return [`${item.itemId}  identical (${String(detail.decisions ?? '?')} decisions, ${String(detail.responsesServed ?? '?')} model responses and ${String(detail.toolAnswersServed ?? '?')} tool answers served from the log)`];
    if (item.outcome === 'failed' && detail.streamId !== undefined) {
      return [
        `${item.itemId}  differs at ${String(detail.streamId)} version ${String(detail.version)} (${String(detail.eventType)}): ${String(detail.reason)}`,
        `    recorded: ${JSON.stringify(detail.recorded ?? null)}`,
        `    replayed: ${JSON.stringify(detail.replayed ?? null)}`,
      ];
    }
    return [`${item.itemId}  ${item.outcome}${typeof item.detail === 'string' ? `: ${item.detail}` : ''}`];
  });
}
