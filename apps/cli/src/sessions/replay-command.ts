import type { Command } from 'commander';
import { OperationClient, runOperation, type OperationItem, type OperationPlanRequest, type OperationRecord, type Terminal } from '../operations/index.js';
import type { PlatformClient } from '../platform-client.js';
import type { Output } from '../verify-command.js';
import { replayFilterFrom, replayLines } from './session-replay-text.js';

export interface ReplayOptions {
  readonly query?: string;
  readonly json?: boolean;
  readonly dryRun?: boolean;
  readonly rate?: number;
}

/** Keeps the id of the operation it planned, to list its items once the shared helper has followed it. */
class PlanningClient extends OperationClient {
  operationId: string | undefined;

  override async plan(body: OperationPlanRequest): Promise<OperationRecord | { operationId: string }> {
    const answer = await super.plan(body);
    this.operationId = answer.operationId;
    return answer;
  }
}

/**
 * `ao sessions replay <id> | --query …`: a replay-sessions operation through the shared helper
 * (plan, dry run, progress), then each session's outcome: identical, or its first difference.
 * A replay only reads the log, so it needs no confirmation. Exits 0 when every session came out
 * identical, 5 when some differ, 4 when nothing matched.
 */
export async function replayCommand(platform: PlatformClient, sessionId: string | undefined, options: ReplayOptions, terminal: Terminal, output: Output): Promise<number> {
  const filter = replayFilterFrom(sessionId, options.query);
  const client = new PlanningClient(platform);
  const request = { kind: 'replay-sessions', filter, ...(options.rate === undefined ? {} : { rate: options.rate }), reason: 'ao sessions replay' } as OperationPlanRequest;
  const code = await runOperation(client, request, { yes: true, ...(options.dryRun ? { dryRun: true } : {}) }, terminal, { out: () => undefined, err: output.err });
  const operationId = client.operationId;
  if (operationId === undefined || options.dryRun) return code;
  const items = await allItems(platform, operationId);
  if (options.json) {
    const sessions = items.map((item) => ({ sessionId: item.itemId, outcome: item.outcome, identical: item.outcome === 'succeeded', detail: item.detail ?? null }));
    output.out(JSON.stringify({ operationId, identical: sessions.filter((s) => s.identical).length, differ: sessions.filter((s) => s.outcome === 'failed').length, sessions }, null, 2));
  } else {
    for (const line of replayLines(items.map((item) => ({ itemId: item.itemId, outcome: item.outcome ?? 'pending', detail: item.detail })))) output.out(line);
  }
  return code;
}

async function allItems(platform: PlatformClient, operationId: string): Promise<OperationItem[]> {
  const items: OperationItem[] = [];
  let cursor: string | null = null;
  do {
    const page = (await platform.call('GET', `/v1/operations/${encodeURIComponent(operationId)}/items?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)) as { items: OperationItem[]; nextCursor: string | null };
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return items;
}

/** `ao sessions replay`, added to the `sessions` command group. */
export function addReplay(sessions: Command, client: () => PlatformClient, terminal: () => Terminal, output: Output, exit: (code: number) => void): void {
  sessions
    .command('replay')
    .description("run sessions' deciders again from the log (model responses and tool answers as recorded, no model or tool called) and report, per session, identical or the first difference. Exits 0 all identical, 5 some differ, 4 nothing matched")
    .argument('[sessionId]', 'the session to replay')
    .option('--query <filter>', 'the sessions to replay instead: status=…, since=…, until=… (started at or after since, before until)')
    .option('--dry-run', 'list the sessions the filter selects and replay none')
    .option('--rate <n>', 'sessions replayed per second', (v) => Number.parseFloat(v))
    .option('--json', 'print { operationId, identical, differ, sessions: [...] } as JSON')
    .action(async (sessionId: string | undefined, options: ReplayOptions) => {
      exit(await replayCommand(client(), sessionId, options, terminal(), output));
    });
}
