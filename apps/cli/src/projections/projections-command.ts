import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { askOnTerminal, operationExitCodes, type OperationRun, type OperationView } from '../dead-letters/dlq-operation.js';
import { CliError, exitCodes } from '../exit-codes.js';
import type { PlatformClient } from '../platform-client.js';
import type { Output } from '../verify-command.js';
import { projectionTable, type ProjectionList, type ProjectionRow } from './projection-views.js';

/*
 * Rebuilds and retries are operations (POST /v1/operations, kinds rebuild-projection and
 * retry-quarantined, the platform admin's): planned, shown, confirmed, followed. An operation on
 * one projection has one item, so the progress shown is the projection's own (its row of
 * GET /v1/projections: events applied of the log's size), which gives the bar its ETA. It uses
 * the operation helpers `ao dlq` has until the operations' shared helper (apps/cli/src/operations/) lands.
 */

type Kind = 'rebuild-projection' | 'retry-quarantined';

export async function listProjections(client: PlatformClient, options: { json?: boolean }, output: Output): Promise<number> {
  const { items } = (await client.json('GET', '/v1/projections')) as ProjectionList;
  if (options.json) output.out(JSON.stringify(items, null, 2));
  else output.out(items.length === 0 ? 'no projection has reported yet' : projectionTable(items));
  return exitCodes.ok;
}

async function planned(client: PlatformClient, kind: Kind, projection: string, pollMs: number): Promise<OperationView & { refusal?: string | null }> {
  const answer = (await client.json('POST', '/v1/operations', { kind, filter: { projection } })) as Partial<OperationView> & { operationId: string; refusal?: string | null };
  let view = answer;
  for (const deadline = Date.now() + 120_000; view.status === undefined; ) {
    if (Date.now() > deadline) throw new CliError(`operation ${answer.operationId} is not planned after two minutes: look at it later with ao operations show ${answer.operationId}`, exitCodes.platform);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    view = ((await client.json('GET', `/v1/operations/${answer.operationId}`).catch(() => undefined)) as typeof answer | undefined) ?? { operationId: answer.operationId };
  }
  if (view.status === 'failed') throw new CliError(`the platform refused the plan: ${view.refusal ?? 'no reason given'}`, exitCodes.platform);
  return view as OperationView;
}

/** `ao projections rebuild <name>` and `ao projections retry-quarantined <name>`. */
export async function projectionOperation(client: PlatformClient, kind: Kind, projection: string, run: OperationRun, output: Output): Promise<number> {
  const plan = await planned(client, kind, projection, run.pollMs);
  if (plan.total === 0) {
    output.err(`nothing matched: no projection ${projection} reports its status (see ao projections list), or the key is not the platform admin's`);
    return operationExitCodes.nothingMatched;
  }
  const what = kind === 'rebuild-projection' ? `rebuild ${projection} from the log into shadow tables, then swap them in` : `apply ${projection}'s quarantined events again`;
  output.out(`${kind} ${plan.operationId}: ${what}`);
  if (!run.yes) {
    if (!run.tty || !run.ask) throw new CliError(`not confirmed: pass --yes to ${kind === 'rebuild-projection' ? 'rebuild' : 'retry'} without a question`, exitCodes.usage);
    if (!/^y(es)?$/i.test((await run.ask(`${what}? [y/N] `)).trim())) {
      output.err(`not confirmed: operation ${plan.operationId} stays planned and acts on nothing`);
      return exitCodes.ok;
    }
  }
  await client.json('POST', `/v1/operations/${plan.operationId}/confirm`);
  const end = await follow(client, plan.operationId, projection, run, output);
  const row = await statusOf(client, projection);
  const mine = row?.operation?.operationId === plan.operationId ? row.operation : undefined;
  if (run.json) output.out(JSON.stringify({ operation: end, projection: row }, null, 2));
  else output.out(`${kind} ${end.operationId} ${end.status}${mine ? `: ${mine.status}${mine.detail ? `, ${mine.detail}` : ''}` : ''}`);
  return end.status === 'completed' && end.failed === 0 ? exitCodes.ok : exitCodes.findings;
}

async function statusOf(client: PlatformClient, projection: string): Promise<ProjectionRow | undefined> {
  return ((await client.json('GET', '/v1/projections')) as ProjectionList).items.find((row) => row.projection === projection);
}

async function follow(client: PlatformClient, operationId: string, projection: string, run: OperationRun, output: Output): Promise<OperationView> {
  const bar = run.tty ? new cliProgress.SingleBar({ format: `${projection} [{bar}] {value}/{total} ETA {eta_formatted}`, stream: process.stderr, hideCursor: true, etaBuffer: 20 }, cliProgress.Presets.shades_classic) : null;
  let started = false;
  let shown = -1;
  try {
    for (;;) {
      const view = (await client.json('GET', `/v1/operations/${operationId}`)) as OperationView;
      const operation = (await statusOf(client, projection))?.operation;
      if (operation?.operationId === operationId) {
        if (bar && !started) bar.start(Math.max(operation.total, 1), 0);
        started = true;
        if (bar) {
          bar.setTotal(Math.max(operation.total, operation.done, 1));
          bar.update(operation.done);
        } else if (operation.done !== shown) output.err(`${projection}: ${operation.done}/${operation.total}`);
        shown = operation.done;
      }
      if (view.status === 'completed' || view.status === 'aborted' || view.status === 'failed') return view;
      await new Promise((resolve) => setTimeout(resolve, run.pollMs));
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
  run: Omit<OperationRun, 'yes' | 'json'> = { tty: process.stdin.isTTY === true && process.stderr.isTTY === true, pollMs: 500, ask: askOnTerminal },
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
    .action(async (name: string, options: { yes?: boolean; json?: boolean }) => done(await projectionOperation(client(), 'rebuild-projection', name, { ...run, ...options }, output)));
  projections
    .command('retry-quarantined')
    .description("apply the projection's quarantined events again after a fix (platform admin key); those still refused stay quarantined")
    .argument('<name>', 'the projection')
    .option('--yes', 'retry without asking')
    .option('--json', 'print the outcome as JSON')
    .action(async (name: string, options: { yes?: boolean; json?: boolean }) => done(await projectionOperation(client(), 'retry-quarantined', name, { ...run, ...options }, output)));
}
