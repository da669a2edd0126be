import { Option, type Command } from 'commander';
import { CliError, exitCodes } from '../exit-codes.js';
import type { PlatformClient } from '../platform-client.js';
import type { Output } from '../verify-command.js';
import { deadLetterTable, deadLetterText, type DeadLetterDetail, type DeadLetterItem, type DeadLetterPage } from './dead-letter-views.js';

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
    const page = (await client.call('GET', `/v1/dead-letters?${query}`)) as DeadLetterPage;
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null && items.length < options.limit);
  if (options.json) output.out(JSON.stringify(items, null, 2));
  else output.out(items.length === 0 ? 'no dead letters match' : deadLetterTable(items));
  return exitCodes.ok;
}

/** `ao dlq show <id>`: one dead letter with its message decoded. */
export async function showDeadLetter(client: PlatformClient, id: string, options: { json?: boolean }, output: Output): Promise<number> {
  const detail = (await client.call('GET', `/v1/dead-letters/${encodeURIComponent(id)}`)) as DeadLetterDetail;
  output.out(options.json ? JSON.stringify(detail, null, 2) : deadLetterText(detail));
  return exitCodes.ok;
}

/** The `ao dlq` commands on `program`; `done` takes each action's exit code. */
export function registerDlqCommands(program: Command, client: () => PlatformClient, output: Output, done: (code: number) => void): void {
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
}
