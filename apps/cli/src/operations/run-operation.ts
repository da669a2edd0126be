import cliProgress from 'cli-progress';
import { CliError, exitCodes } from '../exit-codes.js';
import type { Output } from '../verify-command.js';
import { exitCodeOf, type OperationClient, type OperationPlanRequest, type OperationRecord } from './operation-client.js';
import { describeCounts } from './operation-text.js';

export interface RunOptions {
  /** Only show the dry run. */
  readonly dryRun?: boolean;
  /** Confirm without asking. */
  readonly yes?: boolean;
  /** Print the final operation record (with --dry-run: the plan and every matched item) as JSON on stdout. */
  readonly json?: boolean;
  /** How many matched items the dry run lists. */
  readonly show?: number;
}

/** What the helper needs from where it runs: the terminal and a person to ask. */
export interface Terminal {
  /** stdin is a terminal: a person can answer y/N. */
  readonly interactive: boolean;
  /** stderr is a terminal: a progress bar there, plain lines otherwise. */
  readonly progressBar: boolean;
  ask(question: string): Promise<string>;
  readonly pollMs: number;
  readonly timeoutMs: number;
}

/**
 * The one path every bulk command takes (`ao dlq redrive`, `ao dlq discard`, `ao projections
 * rebuild`, `ao sessions replay --query`): plan → print the dry run → confirm (with --yes, or a
 * person's "y" on a terminal; refused without --yes when nobody can answer) → follow the progress
 * with an ETA on stderr → exit 0 (all done), 4 (nothing matched) or 5 (some failed, or aborted).
 */
export async function runOperation(client: OperationClient, request: OperationPlanRequest, options: RunOptions, terminal: Terminal, output: Output): Promise<number> {
  const planned = await untilPlanned(client, await client.plan(request), terminal);
  if (planned.status === 'failed') throw new CliError(`the operation was not planned: ${planned.refusal ?? 'the platform refused it'}`, exitCodes.platform);
  await printDryRun(client, planned, options.show ?? 20, output);
  if (planned.total === 0) {
    if (options.json) output.out(JSON.stringify(planned, null, 2));
    output.err('nothing matched: there is nothing to do');
    return exitCodes.nothingMatched;
  }
  if (options.dryRun) {
    if (options.json) output.out(JSON.stringify({ ...planned, items: await client.allItems(planned.operationId) }, null, 2));
    output.err(`dry run: nothing was changed. Run again without --dry-run to act on these ${planned.total} items (operation ${planned.operationId} stays planned).`);
    return exitCodes.ok;
  }
  if (!options.yes) {
    if (!terminal.interactive) throw new CliError(`confirmation needed: ${planned.total} items would be acted on; pass --yes to confirm when no one can answer (stdin is not a terminal)`, exitCodes.usage);
    const answer = (await terminal.ask(`Act on these ${planned.total} items${planned.repeatsSideEffect > 0 ? ` (${planned.repeatsSideEffect} repeat a side effect)` : ''}? [y/N] `)).trim().toLowerCase();
    if (answer !== 'y' && answer !== 'yes') {
      await client.act(planned.operationId, 'abort', 'not confirmed at the prompt');
      output.err('not confirmed: nothing was changed');
      return exitCodes.ok;
    }
  }
  await client.act(planned.operationId, 'confirm');
  const ended = await follow(client, planned.operationId, terminal, output);
  // The outcome is the command's result: on stdout, as a line or (--json) as the record alone.
  if (options.json) output.out(JSON.stringify(ended, null, 2));
  else output.out(`${ended.kind} ${ended.operationId} ${ended.status}: ${ended.succeeded} succeeded, ${ended.failed} failed, ${ended.skipped} skipped of ${ended.total}`);
  return exitCodeOf(ended);
}

async function untilPlanned(client: OperationClient, answer: OperationRecord | { operationId: string }, terminal: Terminal): Promise<OperationRecord> {
  if ('status' in answer) return answer;
  const deadline = Date.now() + terminal.timeoutMs;
  for (;;) {
    const record = await client.get(answer.operationId).catch((error: unknown) => {
      // Not projected yet: the 202 came before the plan was recorded.
      if (error instanceof CliError && / 404: /.test(error.message)) return undefined;
      throw error;
    });
    if (record !== undefined) return record;
    if (Date.now() > deadline) throw new CliError(`operation ${answer.operationId} is still being planned: see it later with "ao operations show ${answer.operationId}"`, exitCodes.platform);
    await new Promise((resolve) => setTimeout(resolve, terminal.pollMs));
  }
}

async function printDryRun(client: OperationClient, record: OperationRecord, show: number, output: Output): Promise<void> {
  output.err(`operation ${record.operationId}: ${record.kind} of ${record.total} items (${record.repeatsSideEffect} repeat a side effect) at ${record.rate}/s`);
  for (const line of describeCounts(record.counts)) output.err(`  ${line}`);
  if (record.total === 0 || show <= 0) return;
  const items = await client.items(record.operationId, Math.min(show, 500));
  for (const item of items) output.err(`  ${item.repeatsSideEffect ? '!' : ' '} ${item.itemId}  ${item.label}`);
  if (record.total > items.length) output.err(`  … and ${record.total - items.length} more ("ao operations show ${record.operationId}")`);
}

/** Polls until the operation ends, with a bar and ETA on a terminal and a line per change otherwise. */
export async function follow(client: OperationClient, operationId: string, terminal: Terminal, output: Output): Promise<OperationRecord> {
  const deadline = Date.now() + terminal.timeoutMs;
  const bar = terminal.progressBar ? new cliProgress.SingleBar({ format: '[{bar}] {value}/{total} items | ETA {etaText} | {status}', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic) : null;
  let started = false;
  let lastLine = '';
  try {
    for (;;) {
      const record = await client.get(operationId);
      const eta = record.etaSeconds === null ? '-' : `${record.etaSeconds}s`;
      if (bar) {
        if (!started) bar.start(record.total, record.done, { etaText: eta, status: record.status });
        started = true;
        bar.update(record.done, { etaText: eta, status: record.status });
      } else {
        const line = `${record.status}: ${record.done}/${record.total} items, ETA ${eta}`;
        if (line !== lastLine) output.err(line);
        lastLine = line;
      }
      if (record.status === 'completed' || record.status === 'aborted' || record.status === 'failed') return record;
      if (Date.now() > deadline) throw new CliError(`operation ${operationId} is still ${record.status}: follow it with "ao operations show ${operationId}"`, exitCodes.platform);
      await new Promise((resolve) => setTimeout(resolve, terminal.pollMs));
    }
  } finally {
    bar?.stop();
  }
}
