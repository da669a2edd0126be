import { verifyBundle } from '@agent-orchestrator/audit-proof';
import cliProgress from 'cli-progress';
import { CliError, exitCodes } from './exit-codes.js';
import type { AuditExportRecord, PlatformClient } from './platform-client.js';
import { printReport, type Output } from './verify-command.js';

export interface ExportOptions {
  from?: string;
  to?: string;
  session?: string[];
  previous?: string;
  out?: string;
  json?: boolean;
}

export interface Waiting {
  /** Pause between polls; tests pass a short one. */
  pollMs: number;
  /** Give up after this long: an export of a whole tenant can take minutes, not hours. */
  timeoutMs: number;
  /** Whether stderr is a terminal: a progress bar there, plain lines otherwise. */
  tty: boolean;
}

/** `ao audit export`: ask, wait (with progress on stderr), download, verify locally. Returns the exit code. */
export async function exportCommand(client: PlatformClient, options: ExportOptions, waiting: Waiting, output: Output): Promise<number> {
  const body = requestBody(options);
  const exportId = await client.requestExport(body);
  output.err(`export ${exportId} requested`);
  const record = await waitForExport(client, exportId, waiting, output);
  if (record.status !== 'completed') {
    throw new CliError(`export ${exportId} ${record.status}${record.error ? `: ${record.error}` : ''}`, exitCodes.findings);
  }
  const path = options.out ?? `audit-${exportId}.ndjson`;
  await client.downloadBundle(exportId, path, () => undefined);
  output.err(`bundle written to ${path}${record.bytes !== null ? ` (${record.bytes} bytes)` : ''}`);
  const report = await verifyBundle({ bundle: path });
  if (record.sha256 !== null && report.summary.sha256 !== null && record.sha256 !== report.summary.sha256) {
    report.findings.push({ kind: 'altered', message: `the downloaded file hashes to ${report.summary.sha256}, the platform recorded ${record.sha256}` });
    report.ok = false;
  }
  printReport(report, options.json === true, output);
  return report.ok ? exitCodes.ok : exitCodes.findings;
}

function requestBody(options: ExportOptions): { from?: string; to?: string; sessionIds?: string[]; previousExportId?: string } {
  for (const [flag, value] of [['--from', options.from], ['--to', options.to]] as const) {
    if (value !== undefined && Number.isNaN(Date.parse(value))) throw new CliError(`${flag} ${value} is not a date: give an ISO 8601 instant such as 2026-01-31T00:00:00Z`, exitCodes.usage);
  }
  const iso = (value: string): string => new Date(value).toISOString();
  return {
    ...(options.from !== undefined ? { from: iso(options.from) } : {}),
    ...(options.to !== undefined ? { to: iso(options.to) } : {}),
    ...(options.session && options.session.length > 0 ? { sessionIds: options.session } : {}),
    ...(options.previous !== undefined ? { previousExportId: options.previous } : {}),
  };
}

async function waitForExport(client: PlatformClient, exportId: string, waiting: Waiting, output: Output): Promise<AuditExportRecord> {
  const deadline = Date.now() + waiting.timeoutMs;
  const bar = waiting.tty ? new cliProgress.SingleBar({ format: 'exporting [{bar}] {value}/{total} events', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic) : null;
  let started = false;
  let lastShown = -1;
  try {
    for (;;) {
      const record = await client.getExport(exportId);
      const { written, total } = record.progress;
      if (bar) {
        if (!started) bar.start(total ?? 0, written);
        started = true;
        if (total !== null) bar.setTotal(total);
        bar.update(written);
      } else if (written !== lastShown) {
        output.err(`exporting: ${written}/${total ?? '?'} events`);
        lastShown = written;
      }
      if (record.status !== 'requested' && record.status !== 'running') return record;
      if (Date.now() > deadline) throw new CliError(`export ${exportId} is still ${record.status} after ${Math.round(waiting.timeoutMs / 1000)} s: fetch it later with "ao audit exports"`, exitCodes.platform);
      await new Promise((resolve) => setTimeout(resolve, waiting.pollMs));
    }
  } finally {
    bar?.stop();
  }
}

/** `ao audit exports`: the tenant's past exports, newest first. */
export async function listExportsCommand(client: PlatformClient, options: { json?: boolean; limit: number }, output: Output): Promise<number> {
  const records = await client.listExports(options.limit);
  if (options.json) {
    output.out(JSON.stringify(records, null, 2));
    return exitCodes.ok;
  }
  if (records.length === 0) {
    output.out('no exports yet: request one with "ao audit export"');
    return exitCodes.ok;
  }
  const rows = records.map((r) => [r.exportId, r.status, r.requestedAt, describeRequest(r.request), r.events === null ? '' : String(r.events), r.checkpoint ? String(r.checkpoint.treeSize) : '', r.expiresAt ?? '', r.verification === null ? '' : r.verification.ok ? 'ok' : 'FAILED']);
  output.out(table(['EXPORT', 'STATUS', 'REQUESTED', 'RANGE', 'EVENTS', 'TREE', 'EXPIRES', 'CHECK'], rows));
  return exitCodes.ok;
}

function describeRequest(r: AuditExportRecord['request']): string {
  if (r.sessionIds && r.sessionIds.length > 0) return `sessions ${r.sessionIds.join(',')}`;
  if (r.from === undefined && r.to === undefined) return 'everything';
  return `${r.from ?? '…'} – ${r.to ?? '…'}`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
