import type { operations } from '@agent-orchestrator/client';

/* How dead letters read on a terminal: a table for the list, a block for one. */

export type DeadLetterPage = operations['listDeadLetters']['responses'][200]['content']['application/json'];
export type DeadLetterItem = DeadLetterPage['items'][number];
export type DeadLetterDetail = operations['getDeadLetter']['responses'][200]['content']['application/json'];

const clip = (text: string, width: number): string => (text.length > width ? `${text.slice(0, width - 1)}…` : text);

/** Columns padded to their widest cell; the reason last and clipped, so a row fits a terminal line. */
export function deadLetterTable(items: readonly DeadLetterItem[]): string {
  const header = ['ID', 'LAST SEEN', 'TENANT', 'CONSUMER', 'CODE', 'TOOL', 'TYPE', 'STATUS', 'REDRIVES', 'REASON'];
  const rows = items.map((item) => [
    item.id,
    item.lastSeen.replace(/\.\d+Z$/, 'Z'),
    item.tenantId ?? '-',
    item.consumer,
    item.errorCode,
    item.tool ?? '-',
    item.messageType ?? '-',
    item.status,
    String(item.redriveCount),
    clip(item.reason.replace(/\s+/g, ' '), 60),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  return [header, ...rows].map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')).join('\n');
}

export function deadLetterText(detail: DeadLetterDetail): string {
  const { message } = detail;
  const value =
    message.value.encoding === 'json'
      ? JSON.stringify(message.value.json, null, 2)
      : message.value.encoding === 'base64'
        ? `${message.value.base64}\n  (${message.value.note})`
        : `(${message.value.note})`;
  const lines: [string, string | number | null][] = [
    ['dead letter', detail.id],
    ['status', `${detail.status}${detail.discardReason ? ` (${detail.discardReason})` : ''}${detail.actedBy ? ` by operation ${detail.actedBy}` : ''}`],
    ['tenant', detail.tenantId ?? '(none: the message could not be decoded)'],
    ['consumer', detail.consumer],
    ['error', `${detail.errorCode}: ${detail.reason}`],
    ['attempts', detail.attempts],
    ['redriven', `${detail.redriveCount} times`],
    ['source', detail.sourceTopic === null ? '(unknown)' : `${detail.sourceTopic} partition ${detail.sourcePartition ?? '?'} offset ${detail.sourceOffset ?? '?'}`],
    ['session', detail.sessionId],
    ['tool', detail.tool],
    ['type', detail.messageType],
    ['first seen', detail.firstSeen],
    ['last seen', detail.lastSeen],
    ['side effect', detail.repeatsSideEffect === null ? 'unknown' : `${detail.repeatsSideEffect ? 'a redrive repeats one' : 'none'}${detail.sideEffectNote ? ` (${detail.sideEffectNote})` : ''}`],
    ['key', message.key],
  ];
  const headers = Object.entries(message.headers).map(([name, text]) => `  ${name}: ${text}`);
  return [...lines.filter(([, text]) => text !== null).map(([label, text]) => `${`${label}:`.padEnd(13)}${text}`), 'headers:', ...headers, 'value:', value].join('\n');
}
