import type { operations } from '@agent-orchestrator/client';

export type ProjectionList = operations['listProjections']['responses'][200]['content']['application/json'];
export type ProjectionRow = ProjectionList['items'][number];

const ago = (instant: string | null, now: Date): string => {
  if (instant === null) return 'never';
  const seconds = Math.max(0, Math.round((now.getTime() - Date.parse(instant)) / 1000));
  return seconds < 120 ? `${seconds}s ago` : seconds < 7200 ? `${Math.round(seconds / 60)}m ago` : `${Math.round(seconds / 3600)}h ago`;
};

/** `ao projections list`: one line per projection, with what is running on it under it. */
export function projectionTable(items: readonly ProjectionRow[], now: Date = new Date()): string {
  const header = ['NAME', 'VERSION', 'POSITION', 'LAG', 'EVENTS/S', 'LAST ADVANCE', 'STATE', 'QUARANTINED'];
  const rows = items.map((row) => [
    row.projection,
    String(row.version),
    row.position ?? '-',
    `${row.lag}${row.lagCapped ? '+' : ''}`,
    String(row.eventsPerSecond),
    ago(row.lastAdvanceAt, now),
    row.state,
    String(row.quarantined),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  const operationLines = items.flatMap((row) =>
    row.operation ? [`  ${row.projection}: ${row.operation.kind} ${row.operation.operationId} ${row.operation.status} ${row.operation.done}/${row.operation.total}${row.operation.detail ? ` (${row.operation.detail})` : ''}`] : [],
  );
  return [line(header), ...rows.map(line), ...(operationLines.length > 0 ? ['', 'last operations:', ...operationLines] : [])].join('\n');
}
