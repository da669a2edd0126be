// Pure (the unit spec runs it under Node): the shapes it reads, not the client's types.
export type ExportStatus = 'requested' | 'running' | 'completed' | 'failed' | 'expired';
interface ExportRange {
  readonly from?: string;
  readonly to?: string;
  readonly sessionIds?: readonly string[];
}
interface ExportProgress {
  readonly status: ExportStatus;
  readonly progress: { readonly written: number; readonly total: number | null };
}

export const exportStatusLabels: Record<ExportStatus, string> = {
  requested: 'Requested',
  running: 'Writing',
  completed: 'Ready',
  failed: 'Failed',
  expired: 'Expired',
};

export const exportStatusColors: Record<ExportStatus, string> = {
  requested: 'gray',
  running: 'blue',
  completed: 'green',
  failed: 'red',
  expired: 'gray',
};

const instant = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const when = (iso: string) => {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : instant.format(at);
};

/** What an export covers, in a sentence: "Everything up to its checkpoint", "3 sessions", "From … to …". */
export function describeRange(request: ExportRange): string {
  if (request.sessionIds?.length) return request.sessionIds.length === 1 ? `Session ${request.sessionIds[0]}` : `${request.sessionIds.length} sessions`;
  if (request.from && request.to) return `From ${when(request.from)} to ${when(request.to)}`;
  if (request.from) return `From ${when(request.from)} on`;
  if (request.to) return `Everything before ${when(request.to)}`;
  return 'Everything up to its checkpoint';
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** The percentage written, or undefined while the total is not known (the bar then shows activity, not a number). */
export function progressOf(item: ExportProgress): number | undefined {
  if (item.status === 'completed') return 100;
  const { written, total } = item.progress;
  if (total === null) return undefined;
  return total === 0 ? 100 : Math.min(100, Math.floor((written / total) * 100));
}

/** A reason as a sentence: capitalised and closed, so advice can follow it. */
export function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return '';
  const capital = `${trimmed[0]!.toUpperCase()}${trimmed.slice(1)}`;
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** A long hash, shortened for the eye; the full value stays in the title and the copy button. */
export const shortHash = (hash: string) => `${hash.slice(0, 12)}…${hash.slice(-6)}`;

/** The command an auditor runs on their own machine: it needs the file, Node and the fingerprint, nothing else. */
export function verifyCommand(filename: string, fingerprint: string | undefined): string {
  return `npx ao audit verify ${filename} --trusted-key ${fingerprint ?? '<fingerprint>'}`;
}

/** A `datetime-local` value (the reader's zone) as an ISO instant; undefined when empty or not a time. */
export function instantOf(local: string): string | undefined {
  if (!local) return undefined;
  const at = new Date(local);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

/** Session ids as a person pastes them: one per line, or separated by commas or spaces. */
export function sessionIdsOf(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter(Boolean))];
}
