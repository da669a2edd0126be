import type { NodeStatus } from './session-tree';

/** How numbers and times of a session read on the page: short, and the same everywhere. */

export function formatDuration(startedAt: string | null | undefined, endedAt: string | null | undefined, now = Date.now()): string {
  if (!startedAt) return '—';
  const ms = Math.max(0, (endedAt ? Date.parse(endedAt) : now) - Date.parse(startedAt));
  if (ms < 1000) return `${ms} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${(ms / 1000).toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function formatTokens(input: number | undefined, output: number | undefined): string {
  if (input === undefined && output === undefined) return '—';
  return `${(input ?? 0) + (output ?? 0)}`.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function formatCost(costUsd: number | undefined): string {
  if (costUsd === undefined) return '—';
  if (costUsd === 0) return '$0';
  return costUsd < 0.01 ? `$${costUsd.toFixed(4)}` : `$${costUsd.toFixed(2)}`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

export const formatStarted = (at: string | null | undefined): string => (at ? dateTime.format(new Date(at)) : '—');
export const formatTime = (at: string): string => time.format(new Date(at));

/** Session statuses as the API names them, and the colours a status badge wears. */
export const sessionStatusLabels = {
  queued: 'Queued',
  running: 'Running',
  awaiting_approval: 'Awaiting approval',
  paused: 'Paused',
  blocked: 'Blocked',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
} as const;
export type SessionStatus = keyof typeof sessionStatusLabels;

export const sessionStatusColors: Record<SessionStatus, string> = {
  queued: 'gray',
  running: 'blue',
  awaiting_approval: 'orange',
  paused: 'yellow',
  // Waits for an operator: a tool call was parked when its retries ran out.
  blocked: 'grape',
  completed: 'green',
  failed: 'red',
  cancelled: 'gray',
};

export const nodeStatusLabels: Record<NodeStatus, string> = {
  pending: 'Pending',
  running: 'Running',
  waiting: 'Waiting',
  succeeded: 'Done',
  failed: 'Failed',
  denied: 'Denied',
  cancelled: 'Cancelled',
};

export const nodeStatusColors: Record<NodeStatus, string> = {
  pending: 'gray',
  running: 'blue',
  waiting: 'orange',
  succeeded: 'green',
  failed: 'red',
  denied: 'red',
  cancelled: 'gray',
};

export const hasEnded = (status: string): boolean => status === 'completed' || status === 'failed' || status === 'cancelled';
