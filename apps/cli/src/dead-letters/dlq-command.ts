import { Option, type Command } from 'commander';
import { CliError, exitCodes } from '../exit-codes.js';
import type { PlatformClient } from '../platform-client.js';
import type { Output } from '../verify-command.js';
import { deadLetterTable, deadLetterText, type DeadLetterDetail, type DeadLetterItem, type DeadLetterPage } from './dead-letter-views.js';
import { OperationClient, processTerminal, runOperation, type Terminal } from '../operations/index.js';

export interface DeadLetterFilterOptions {
  consumer?: string;
  code?: string;
  tool?: string;
  tenant?: string;
  since?: string;
  until?: string;
}

const durations: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** An ISO instant, or a time ago (`30m`, `2h`, `7d`), as the ISO instant the API takes. */
export function instantOf(flag: string, value: string, now: Date = new Date()): string {
  const ago = /^(\d+)([smhd])$/.exec(value);
  if (ago) return new Date(now.getTime() - Number(ago[1]) * durations[ago[2]!]!).toISOString();
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(Date.parse(value))) throw new CliError(`${flag} ${value} is neither an instant (2026-11-29T10:00:00Z) nor a time ago (30m, 2h, 7d)`, exitCodes.usage);
  return new Date(value).toISOString();
}

/** The filter flags as the API's query (GET /v1/dead-letters) and operations' filter (POST /v1/operations) both name them. */
export function filterOf(options: DeadLetterFilterOptions): Record<string, string> {
  const filter: Record<string, string> = {};
  for (const name of ['consumer', 'code', 'tool', 'tenant'] as const) if (options[name] !== undefined) filter[name] = options[name]!;
  if (options.since !== undefined) filter.since = instantOf('--since', options.since);
  if (options.until !== undefined) filter.until = instantOf('--until', options.until);
  return filter;
}

export function addFilterOptions(command: Command): Command {
  return command
    .option('--consumer <group>', 'the consumer group that failed, e.g. tool-adapters')
    .option('--code <code>', 'the error code, e.g. Rejected or timeout')
    .option('--tool <tool>', 'the tool the message was about')
    .option('--tenant <tenant>', "one tenant's (platform admin key only)")
    .option('--since <when>', 'last seen at or after: an instant, or a time ago (30m, 2h, 7d)')
    .option('--until <when>', 'last seen before: an instant, or a time ago');
}

const statuses = ['pending', 'redriven', 'discarded', 'resolved'];

/** `ao dlq list`: pages through GET /v1/dead-letters up to --limit rows. */
export async function listDeadLetters(client: PlatformClient, options: DeadLetterFilterOptions & { status?: string; limit: number; json?: boolean }, output: Output): Promise<number> {
  if (!Number.isSafeInteger(options.limit) || options.limit < 1) throw new CliError('--limit must be a positive whole number', exitCodes.usage);
  if (options.status !== undefined && !statuses.includes(options.status)) throw new CliError(`--status must be one of ${statuses.join(', ')}`, exitCodes.usage);
  const query = new URLSearchParams({ ...filterOf(options), ...(options.status === undefined ? {} : { status: options.status }) });
  const items: DeadLetterItem[] = [];
  let cursor: string | null = null;
  do {
    query.set('limit', String(Math.min(500, options.limit - items.length)));
    if (cursor !== null) query.set('cursor', cursor);
    const page = (await client.json('GET', `/v1/dead-letters?${query}`)) as DeadLetterPage;
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null && items.length < options.limit);
  if (options.json) output.out(JSON.stringify(items, null, 2));
  else output.out(items.length === 0 ? 'no dead letters match' : deadLetterTable(items));
  return exitCodes.ok;
}

/** `ao dlq show <id>`: one dead letter with its message decoded. */
export async function showDeadLetter(client: PlatformClient, id: string, options: { json?: boolean }, output: Output): Promise<number> {
  const detail = (await client.json('GET', `/v1/dead-letters/${encodeURIComponent(id)}`)) as DeadLetterDetail;
  output.out(options.json ? JSON.stringify(detail, null, 2) : deadLetterText(detail));
  return exitCodes.ok;
}

interface OperationOptions extends DeadLetterFilterOptions {
  id?: string[];
  dryRun?: boolean;
  rate?: string;
  yes?: boolean;
  json?: boolean;
  reason?: string;
}

/** `--rate max`: no pacing, as fast as the sources take it (the gateway's and the operation contract's word for it). */
const unthrottled = 'max';

/** `ao dlq redrive` and `ao dlq discard`: one operation over the dead letters the flags select. */
export async function deadLetterOperation(client: PlatformClient, kind: 'redrive' | 'discard', options: OperationOptions, terminal: Terminal, output: Output): Promise<number> {
  const filter = { ...filterOf(options), ...(options.id && options.id.length > 0 ? { ids: options.id } : {}) };
  if (Object.keys(filter).length === 0) throw new CliError(`say which dead letters to ${kind}: --id, or a filter (--consumer, --code, --tool, --since…)`, exitCodes.usage);
  let rate: number | typeof unthrottled | undefined;
  if (options.rate === unthrottled) rate = unthrottled;
  else if (options.rate !== undefined) {
    rate = Number(options.rate);
    if (!Number.isFinite(rate) || rate <= 0) throw new CliError(`--rate ${options.rate} is not a number of items per second above 0, nor "${unthrottled}"`, exitCodes.usage);
  }
  if (kind === 'discard' && !options.reason?.trim()) throw new CliError('a discard needs --reason: say why these dead letters are dropped for good', exitCodes.usage);
  return runOperation(
    new OperationClient(client),
    { kind, filter, ...(rate === undefined ? {} : { rate }), ...(options.reason === undefined ? {} : { reason: options.reason }) },
    { ...(options.dryRun ? { dryRun: true } : {}), ...(options.yes ? { yes: true } : {}), ...(options.json ? { json: true } : {}) },
    terminal,
    output,
  );
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** The `ao dlq` commands on `program`; `done` takes each action's exit code. */
export function registerDlqCommands(program: Command, client: () => PlatformClient, output: Output, done: (code: number) => void, terminal: Terminal = processTerminal()): void {
  const dlq = program.command('dlq').description('dead letters (and parked tool calls): list, show, redrive to the group that failed, discard');
  addFilterOptions(dlq.command('list').description('dead letters, newest first, as a table'))
    .addOption(new Option('--status <status>', 'pending, redriven, discarded or resolved').choices(statuses))
    .option('--limit <n>', 'how many at most', (value) => Number.parseInt(value, 10), 50)
    .option('--json', 'print the rows as JSON')
    .action(async (options) => done(await listDeadLetters(client(), options, output)));
  dlq
    .command('show')
    .description('one dead letter with its original key, headers and value')
    .argument('<id>', 'the dead letter id, as the list shows it')
    .option('--json', 'print it as JSON')
    .action(async (id: string, options: { json?: boolean }) => done(await showDeadLetter(client(), id, options, output)));
  for (const kind of ['redrive', 'discard'] as const) {
    const command = addFilterOptions(
      dlq
        .command(kind)
        .description(
          kind === 'redrive'
            ? 'send the matched dead letters again, each to the consumer group that failed it alone: a dry run, a question, then progress'
            : 'let the matched dead letters go for good, with a reason: a dry run, a question, then progress',
        ),
    )
      .option('--id <id>', 'exactly this dead letter; repeatable', collect)
      .option('--dry-run', 'show what would be acted on, and act on nothing')
      .option('--rate <n>', 'items per second, or "max" for no pacing (default: the platform\'s, 100/s, which spares the consumers the messages go back to)')
      .option('--yes', 'act without asking')
      .option('--json', 'print the dry run (with --dry-run) or the outcome as JSON');
    if (kind === 'discard') command.option('--reason <text>', 'why (required)');
    command.action(async (options: OperationOptions) => done(await deadLetterOperation(client(), kind, options, terminal, output)));
  }
}
