// Pure (the unit spec runs it under Node): the operation as the API gives it, in words.
export type OperationKind = 'redrive' | 'discard' | 'rebuild-projection' | 'retry-quarantined' | 'replay-sessions';
export type OperationStatus = 'planned' | 'running' | 'paused' | 'completed' | 'aborted' | 'failed';
export type ItemOutcome = 'succeeded' | 'failed' | 'skipped';

export const kindLabels: Record<OperationKind, string> = {
  redrive: 'Redrive',
  discard: 'Discard',
  'rebuild-projection': 'Rebuild projection',
  'retry-quarantined': 'Retry quarantined',
  'replay-sessions': 'Replay sessions',
};

/** What confirming does, as the button and the confirmation say it. */
export const kindVerbs: Record<OperationKind, string> = {
  redrive: 'redrive',
  discard: 'discard',
  'rebuild-projection': 'rebuild',
  'retry-quarantined': 'retry',
  'replay-sessions': 'replay',
};

export const statusLabels: Record<OperationStatus, string> = {
  planned: 'Dry run: waiting for confirmation',
  running: 'Running',
  paused: 'Paused',
  completed: 'Completed',
  aborted: 'Aborted',
  failed: 'Failed',
};

export const statusColors: Record<OperationStatus, string> = {
  planned: 'indigo',
  running: 'blue',
  paused: 'yellow',
  completed: 'green',
  aborted: 'gray',
  failed: 'red',
};

export const outcomeColors: Record<ItemOutcome, string> = { succeeded: 'green', failed: 'red', skipped: 'gray' };

export const isKnown = <T extends string>(labels: Record<T, string>, value: string): value is T => Object.hasOwn(labels, value);
export const labelOf = <T extends string>(labels: Record<T, string>, value: string): string => (isKnown(labels, value) ? labels[value] : value);

export const hasEnded = (status: string): boolean => status === 'completed' || status === 'aborted' || status === 'failed';

interface Progress {
  readonly status: string;
  readonly total: number;
  readonly done: number;
}

/** Whole percent done; a finished operation with nothing to do reads 100. */
export function percentDone({ status, total, done }: Progress): number {
  if (total === 0) return hasEnded(status) ? 100 : 0;
  return Math.min(100, Math.floor((done / total) * 100));
}

/** "about 2 min 10 s left", "less than a second left"; nothing while there is no estimate. */
export function formatEta(seconds: number | null | undefined): string | undefined {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return undefined;
  if (seconds < 1) return 'less than a second left';
  const whole = Math.round(seconds);
  if (whole < 60) return `about ${whole} s left`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `about ${minutes} min${whole % 60 ? ` ${whole % 60} s` : ''} left`;
  return `about ${Math.floor(minutes / 60)} h ${minutes % 60} min left`;
}

/** Counts largest first, ties by name, so the table reads the same on every poll. */
export function rankedCounts(counts: Readonly<Record<string, number>> | undefined): [name: string, count: number][] {
  return Object.entries(counts ?? {}).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
}

/** "3 items", "1 item". */
export const items = (count: number, noun = 'item') => `${count.toLocaleString()} ${noun}${count === 1 ? '' : 's'}`;

interface Filter {
  readonly ids?: readonly string[];
  readonly consumer?: string;
  readonly code?: string;
  readonly tool?: string;
  readonly tenant?: string;
  readonly since?: string;
  readonly until?: string;
  readonly status?: string;
  readonly projection?: string;
}

/** The filter as one line: "tool crm, code timeout, since 29 Nov 2026, 10:00". */
export function describeFilter(filter: Filter | undefined, when: (iso: string) => string = (iso) => iso): string {
  if (!filter) return 'everything';
  const parts: string[] = [];
  if (filter.ids?.length) parts.push(filter.ids.length === 1 ? `item ${filter.ids[0]}` : `${filter.ids.length} chosen items`);
  if (filter.projection) parts.push(`projection ${filter.projection}`);
  if (filter.consumer) parts.push(`consumer ${filter.consumer}`);
  if (filter.code) parts.push(`code ${filter.code}`);
  if (filter.tool) parts.push(`tool ${filter.tool}`);
  if (filter.status) parts.push(`status ${filter.status}`);
  if (filter.tenant) parts.push(`tenant ${filter.tenant}`);
  if (filter.since) parts.push(`since ${when(filter.since)}`);
  if (filter.until) parts.push(`until ${when(filter.until)}`);
  return parts.length ? parts.join(', ') : 'everything';
}

/**
 * A replay's first difference, when an item's detail carries one: the event, the version, and the
 * two versions of the event (as recorded and as decided now). Anything else is shown as it came.
 */
export interface FirstDifference {
  readonly eventType?: string;
  readonly streamId?: string;
  readonly version?: number;
  readonly recorded: unknown;
  readonly replayed: unknown;
}

const pick = (record: Readonly<Record<string, unknown>>, ...names: string[]) => names.map((name) => record[name]).find((value) => value !== undefined);

export function firstDifferenceOf(detail: unknown): FirstDifference | undefined {
  if (!detail || typeof detail !== 'object' || Array.isArray(detail)) return undefined;
  const record = detail as Readonly<Record<string, unknown>>;
  const nested = pick(record, 'firstDifference', 'difference');
  if (nested && typeof nested === 'object' && !Array.isArray(nested)) return firstDifferenceOf(nested);
  const recorded = pick(record, 'recorded', 'expected', 'original');
  const replayed = pick(record, 'replayed', 'actual', 'decided');
  if (recorded === undefined && replayed === undefined) return undefined;
  const version = pick(record, 'version', 'streamVersion');
  const eventType = pick(record, 'eventType', 'type', 'event');
  const streamId = pick(record, 'streamId', 'stream');
  return {
    ...(typeof eventType === 'string' ? { eventType } : {}),
    ...(typeof streamId === 'string' ? { streamId } : {}),
    ...(typeof version === 'number' ? { version } : {}),
    recorded,
    replayed,
  };
}

/** The paths at which two JSON values differ ("data.amount", "type"), first few only: what to look at first. */
export function differingPaths(a: unknown, b: unknown, limit = 8, at = ''): string[] {
  if (Object.is(a, b)) return [];
  const bothObjects = a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b);
  if (!bothObjects) return [at || '(the whole value)'];
  const found: string[] = [];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  for (const key of keys) {
    const path = at ? (Array.isArray(a) ? `${at}[${key}]` : `${at}.${key}`) : key;
    for (const difference of differingPaths((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], limit - found.length, path)) {
      found.push(difference);
      if (found.length >= limit) return found;
    }
  }
  return found;
}

/** A replay that found no difference, in a line: "Identical: 14 decisions, 3 responses and 2 tool answers served from the log". */
export function identicalReplay(detail: unknown): string | undefined {
  if (!detail || typeof detail !== 'object' || (detail as { identical?: unknown }).identical !== true) return undefined;
  const { decisions, responsesServed, toolAnswersServed } = detail as { decisions?: unknown; responsesServed?: unknown; toolAnswersServed?: unknown };
  const count = (value: unknown, noun: string) => (typeof value === 'number' ? items(value, noun) : undefined);
  const served = [count(responsesServed, 'model response'), count(toolAnswersServed, 'tool answer')].filter(Boolean).join(' and ');
  return `Identical${typeof decisions === 'number' ? `: ${items(decisions, 'decision')}` : ''}${served ? `, ${served} served from the log` : ''}`;
}
