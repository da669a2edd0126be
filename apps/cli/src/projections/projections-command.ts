import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { CliError, exitCodes } from '../exit-codes.js';
import { exitCodeOf, OperationClient, processTerminal, type OperationRecord, type Terminal } from '../operations/index.js';
import type { PlatformClient } from '../platform-client.js';
import type { Output } from '../verify-command.js';
import { projectionTable, type ProjectionList, type ProjectionRow } from './projection-views.js';

/*
 * Rebuilds and retries are operations (POST /v1/operations, kinds rebuild-projection and
 * retry-quarantined, the platform admin's): planned, shown, confirmed, followed. An operation on
 * one projection has one item, so the progress shown is the projection's own (its row of
 * GET /v1/projections: events applied of the log's size), which gives the bar its ETA. It uses
 * the operations' shared client (apps/cli/src/operations/) for planning, confirming and exit codes.
 */

type Kind = 'rebuild-projection' | 'retry-quarantined';

export async function listProjections(client: PlatformClient, options: { json?: boolean }, output: Output): Promise<number> {
  const { items } = (await client.json('GET', '/v1/projections')) as ProjectionList;
  if (options.json) output.out(JSON.stringify(items, null, 2));
  else output.out(items.length === 0 ? 'no projection has reported yet' : projectionTable(items));
  return exitCodes.ok;
}

/** `ao projections rebuild <name>` and `ao projections retry-quarantined <name>`: plan, show, confirm, follow the projection's own progress. */
export async function projectionOperation(client: PlatformClient, kind: Kind, projection: string, options: { yes?: boolean; json?: boolean }, terminal: Terminal, output: Output): Promise<number> {
  const operations = new OperationClient(client);
  let planned = await operations.plan({ kind, filter: { projection } });
  for (const deadline = Date.now() + terminal.timeoutMs; !('status' in planned); ) {
    if (Date.now() > deadline) throw new CliError(`operation ${planned.operationId} is still being planned: see it later with "ao operations show ${planned.operationId}"`, exitCodes.platform);
    await new Promise((resolve) => setTimeout(resolve, terminal.pollMs));
    planned = await operations.get(planned.operationId).catch(() => planned);
  }
  const plan: OperationRecord = planned;
  if (plan.status === 'failed') throw new CliError(`the operation was not planned: ${plan.refusal ?? 'the platform refused it'}`, exitCodes.platform);
  if (plan.total === 0) {
    output.err(`nothing matched: no projection ${projection} reports its status (see ao projections list), or the key is not the platform admin's`);
    return exitCodes.nothingMatched;
  }
  const what = kind === 'rebuild-projection' ? `rebuild ${projection} from the log into shadow tables, then swap them in` : `apply ${projection}'s quarantined events again`;
  output.err(`operation ${plan.operationId}: ${what}`);
  if (!options.yes) {
    if (!terminal.interactive) throw new CliError(`confirmation needed: pass --yes to ${kind === 'rebuild-projection' ? 'rebuild' : 'retry'} when no one can answer (stdin is not a terminal)`, exitCodes.usage);
    if (!/^y(es)?$/i.test((await terminal.ask(`${what}? [y/N] `)).trim())) {
      await operations.act(plan.operationId, 'abort', 'not confirmed at the prompt');
      output.err('not confirmed: nothing was changed');
      return exitCodes.ok;
    }
  }
  await operations.act(plan.operationId, 'confirm');
  const end = await follow(client, operations, plan.operationId, projection, terminal, output);
  const row = await statusOf(client, projection);
  const mine = row?.operation?.operationId === plan.operationId ? row.operation : undefined;
  output.err(`${kind} ${end.operationId} ${end.status}${mine ? `: ${mine.status}${mine.detail ? `, ${mine.detail}` : ''}` : ''}`);
  if (options.json) output.out(JSON.stringify({ operation: end, projection: row }, null, 2));
  return exitCodeOf(end);
}

async function statusOf(client: PlatformClient, projection: string): Promise<ProjectionRow | undefined> {
  return ((await client.json('GET', '/v1/projections')) as ProjectionList).items.find((row) => row.projection === projection);
}

/**
 * Follows the operation to its end; the bar is the projection's own progress (events applied of
 * the log's size, from its status row), which a one-item operation's item count cannot give.
 */
async function follow(client: PlatformClient, operations: OperationClient, operationId: string, projection: string, terminal: Terminal, output: Output): Promise<OperationRecord> {
  const bar = terminal.progressBar ? new cliProgress.SingleBar({ format: `${projection} [{bar}] {value}/{total} ETA {eta_formatted}`, stream: process.stderr, hideCursor: true, etaBuffer: 20 }, cliProgress.Presets.shades_classic) : null;
  const deadline = Date.now() + terminal.timeoutMs;
  let started = false;
  let shown = -1;
  try {
    for (;;) {
      const record = await operations.get(operationId);
      const operation = (await statusOf(client, projection))?.operation;
      if (operation?.operationId === operationId) {
        if (bar) {
          if (!started) bar.start(Math.max(operation.total, 1), 0);
          bar.setTotal(Math.max(operation.total, operation.done, 1));
          bar.update(operation.done);
        } else if (operation.done !== shown) output.err(`${projection}: ${operation.done}/${operation.total}`);
        started = true;
        shown = operation.done;
      }
      if (record.status === 'completed' || record.status === 'aborted' || record.status === 'failed') return record;
      if (Date.now() > deadline) throw new CliError(`operation ${operationId} is still ${record.status}: follow it with "ao operations show ${operationId}"`, exitCodes.platform);
      await new Promise((resolve) => setTimeout(resolve, terminal.pollMs));
    }
  } finally {
    bar?.stop();
  }
}

/** The `ao projections` commands on `program`; `done` takes each action's exit code. */
export function registerProjectionCommands(
  program: Command,
  client: () => PlatformClient,
  output: Output,
  done: (code: number) => void,
  terminal: Terminal = processTerminal(),
): void {
  const projections = program.command('projections').description("the read models' projections: their state, a rebuild from the log, quarantined events applied again");
  projections
    .command('list')
    .description('name, version, position, lag, events per second, last advance, state (stalled when behind and not advancing), quarantined events')
    .option('--json', 'print the rows as JSON')
    .action(async (options: { json?: boolean }) => done(await listProjections(client(), options, output)));
  projections
    .command('rebuild')
    .description('build the projection again from the log into shadow tables and swap them in at once (platform admin key): a question, then progress with an ETA')
    .argument('<name>', 'the projection, as ao projections list names it')
    .option('--yes', 'rebuild without asking')
    .option('--json', 'print the outcome as JSON')
    .action(async (name: string, options: { yes?: boolean; json?: boolean }) => done(await projectionOperation(client(), 'rebuild-projection', name, options, terminal, output)));
  projections
    .command('retry-quarantined')
    .description("apply the projection's quarantined events again after a fix (platform admin key); those still refused stay quarantined")
    .argument('<name>', 'the projection')
    .option('--yes', 'retry without asking')
    .option('--json', 'print the outcome as JSON')
    .action(async (name: string, options: { yes?: boolean; json?: boolean }) => done(await projectionOperation(client(), 'retry-quarantined', name, options, terminal, output)));
}
