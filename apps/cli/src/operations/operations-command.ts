import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import { CliError, exitCodes } from '../exit-codes.js';
import type { PlatformClient } from '../platform-client.js';
import type { Output } from '../verify-command.js';
import { OperationClient, type OperationAction } from './operation-client.js';
import { describeCounts, table } from './operation-text.js';
import type { Terminal } from './run-operation.js';

/** The terminal `ao` runs in, for the bulk commands' confirmation and progress. */
export function processTerminal(): Terminal {
  return {
    interactive: process.stdin.isTTY === true,
    progressBar: process.stderr.isTTY === true,
    pollMs: 1000,
    timeoutMs: 24 * 60 * 60_000,
    async ask(question) {
      const prompt = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await prompt.question(question);
      } finally {
        prompt.close();
      }
    },
  };
}

/** `ao operations list|show|pause|resume|abort`: every bulk operation, whichever command planned it. */
export function registerOperationsCommands(program: Command, client: () => PlatformClient, output: Output, setCode: (code: number) => void): void {
  const operations = program.command('operations').description('bulk operations (redrives, discards, rebuilds, replays): list, show, pause, resume, abort');
  const ops = () => new OperationClient(client());
  operations
    .command('list')
    .description('operations, newest first')
    .option('--limit <n>', 'how many', (v) => Number.parseInt(v, 10), 50)
    .option('--json', 'print the records as JSON')
    .action(async (options: { limit: number; json?: boolean }) => {
      if (!Number.isSafeInteger(options.limit) || options.limit < 1 || options.limit > 200) throw new CliError('--limit must be a whole number from 1 to 200', exitCodes.usage);
      const records = await ops().list(options.limit);
      if (options.json) output.out(JSON.stringify(records, null, 2));
      else if (records.length === 0) output.out('no operations yet');
      else output.out(table(['OPERATION', 'KIND', 'STATUS', 'DONE', 'FAILED', 'REQUESTED', 'BY'], records.map((r) => [r.operationId, r.kind, r.status, `${r.done}/${r.total}`, String(r.failed), r.requestedAt, r.requestedBy.id])));
      setCode(exitCodes.ok);
    });
  operations
    .command('show')
    .description('one operation: its plan, progress, ETA and first items')
    .argument('<id>', 'the operation id')
    .option('--items <n>', 'how many items to list', (v) => Number.parseInt(v, 10), 20)
    .option('--json', 'print the record as JSON')
    .action(async (id: string, options: { items: number; json?: boolean }) => {
      const record = await ops().get(id);
      if (options.json) {
        output.out(JSON.stringify(record, null, 2));
        return setCode(exitCodes.ok);
      }
      output.out(`${record.operationId}  ${record.kind}  ${record.status}`);
      output.out(`  ${record.done}/${record.total} done: ${record.succeeded} succeeded, ${record.failed} failed, ${record.skipped} skipped${record.etaSeconds === null ? '' : `; ETA ${record.etaSeconds}s`} at ${record.rate}/s`);
      output.out(`  ${record.repeatsSideEffect} repeat a side effect; requested by ${record.requestedBy.id} at ${record.requestedAt}`);
      if (record.refusal) output.out(`  refused: ${record.refusal}`);
      if (record.abortReason) output.out(`  aborted: ${record.abortReason}`);
      for (const line of describeCounts(record.counts)) output.out(`  ${line}`);
      if (Number.isSafeInteger(options.items) && options.items > 0) {
        for (const item of await ops().items(id, Math.min(options.items, 500))) output.out(`  ${item.outcome ?? 'pending'}  ${item.itemId}  ${item.label}${typeof item.detail === 'string' ? `  (${item.detail})` : ''}`);
      }
      setCode(exitCodes.ok);
    });
  for (const action of ['pause', 'resume', 'abort'] as const satisfies readonly OperationAction[]) {
    const command = operations
      .command(action)
      .description(action === 'abort' ? 'stop an operation for good' : `${action} a running operation`)
      .argument('<id>', 'the operation id')
      .option('--json', 'print the record as JSON');
    if (action === 'abort') command.option('--reason <text>', 'why');
    command.action(async (id: string, options: { json?: boolean; reason?: string }) => {
      const record = await ops().act(id, action, options.reason);
      if (options.json) output.out(JSON.stringify(record, null, 2));
      else output.out(`${record.operationId}  ${record.status}  ${record.done}/${record.total}`);
      setCode(exitCodes.ok);
    });
  }
}
