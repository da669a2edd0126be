import type { operations } from '@agent-orchestrator/client';
import type { Command } from 'commander';
import { CliError, exitCodes } from '../exit-codes.js';
import type { PlatformClient } from '../platform-client.js';
import type { Output } from '../verify-command.js';

export type UsageReport = operations['getUsage']['responses'][200]['content']['application/json'];
const groupings = ['tenant', 'agent', 'model', 'tool', 'day', 'session'] as const;

/** USD with enough digits that a sum of cheap calls does not read as nothing. */
const usd = (amount: number) => `$${amount < 1 && amount > 0 ? amount.toFixed(6) : amount.toFixed(2)}`;

/** `ao usage`: a line per group, costliest first, numbers aligned right, and the total under them. */
export function usageTable(report: UsageReport): string {
  const header = [report.groupBy.toUpperCase(), 'CALLS', 'INPUT', 'OUTPUT', 'COST'];
  const cells = (key: string, totals: UsageReport['totals']) => [key, String(totals.calls), String(totals.inputTokens), String(totals.outputTokens), usd(totals.costUsd)];
  const rows = [...report.rows.map((row) => cells(row.key ?? (report.groupBy === 'tool' ? '(no tool)' : '-'), row)), cells('TOTAL', report.totals)];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const aligned = (row: readonly string[]) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  const note = report.truncated ? [`(the costliest ${report.rows.length} groups; the total counts them all)`] : [];
  return [`${report.from} to ${report.to}`, aligned(header), ...rows.map(aligned), ...note].join('\n');
}

/** `ao usage [--from] [--to] [--group-by] [--tenant] [--json]`: GET /v1/usage. */
export function registerUsageCommand(program: Command, client: () => PlatformClient, output: Output, exit: (code: number) => void): void {
  program
    .command('usage')
    .description("model calls' tokens and cost, summed by tenant, agent, model, tool, day or session (admin, operator, auditor; the platform admin: every tenant's)")
    .option('--from <date>', 'calls at or after this date or instant (default: 30 days before --to)')
    .option('--to <date>', 'calls before this date or instant (default: now)')
    .option('--group-by <what>', `one of ${groupings.join(', ')}`, 'day')
    .option('--tenant <id>', "the platform admin only: one tenant's usage")
    .option('--limit <n>', 'the most groups listed, costliest first', (value) => Number.parseInt(value, 10), 100)
    .option('--json', 'print the answer as JSON')
    .action(async (options: { from?: string; to?: string; groupBy: string; tenant?: string; limit: number; json?: boolean }) => {
      if (!(groupings as readonly string[]).includes(options.groupBy)) throw new CliError(`--group-by must be one of ${groupings.join(', ')}`, exitCodes.usage);
      if (!Number.isSafeInteger(options.limit) || options.limit < 1 || options.limit > 1000) throw new CliError('--limit must be a whole number from 1 to 1000', exitCodes.usage);
      const query = new URLSearchParams({ groupBy: options.groupBy, limit: String(options.limit) });
      for (const name of ['from', 'to', 'tenant'] as const) if (options[name] !== undefined) query.set(name, options[name]);
      const report = (await client().json('GET', `/v1/usage?${query}`)) as UsageReport;
      output.out(options.json ? JSON.stringify(report, null, 2) : usageTable(report));
      exit(exitCodes.ok);
    });
}
