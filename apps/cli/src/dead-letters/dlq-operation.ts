import { createInterface } from 'node:readline/promises';
import cliProgress from 'cli-progress';
import { CliError, exitCodes } from '../exit-codes.js';
import type { PlatformClient } from '../platform-client.js';
import type { Output } from '../verify-command.js';

/*
 * An operation on dead letters as the documented REST shapes run it (POST /v1/operations, its dry
 * run, POST /v1/operations/:id/confirm, GET /v1/operations/:id for progress): plan, show the dry
 * run, confirm, follow, exit code. It stands where the operations' shared helper
 * (apps/cli/src/operations/) belongs, for as long as that is not there.
 */

/** The exit codes of an operation beside `exitCodes`: the filter matched nothing; some items failed. */
export const operationExitCodes = { nothingMatched: 4, partialFailure: 5 } as const;

type Counts = Readonly<Record<string, number>>;

/** GET /v1/operations/:id, as the operations' contract gives it. */
export interface OperationView {
  readonly operationId: string;
  readonly kind: string;
  readonly status: 'planned' | 'running' | 'paused' | 'completed' | 'aborted' | 'failed';
  readonly total: number;
  readonly done: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly skipped: number;
  readonly etaSeconds: number | null;
  readonly counts: { readonly byConsumer: Counts; readonly byCode: Counts; readonly byTool: Counts; readonly byTenant: Counts };
  readonly repeatsSideEffect: number;
}

interface ItemView {
  readonly itemId: string;
  readonly label: string;
  readonly repeatsSideEffect: boolean;
  readonly outcome?: string | null;
  readonly detail?: unknown;
}

export interface OperationRequest {
  readonly kind: 'redrive' | 'discard';
  readonly filter: Readonly<Record<string, unknown>>;
  readonly rate?: number;
  readonly reason?: string;
}

export interface OperationRun {
  readonly dryRun?: boolean;
  readonly yes?: boolean;
  readonly json?: boolean;
  /** Whether stdin and stderr are a terminal: a question and a progress bar there, plain lines otherwise. */
  readonly tty: boolean;
  readonly pollMs: number;
  /** Asks the person at the terminal; a test answers for them. */
  readonly ask?: (question: string) => Promise<string>;
}

const countsLine = (label: string, counts: Counts) => `  ${label.padEnd(12)}${Object.entries(counts).map(([name, n]) => `${name} ${n}`).join(', ') || '-'}`;

async function items(client: PlatformClient, operationId: string): Promise<ItemView[]> {
  const all: ItemView[] = [];
  let cursor: string | null = null;
  do {
    const page = (await client.json('GET', `/v1/operations/${operationId}/items?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)) as { items: ItemView[]; nextCursor?: string | null };
    all.push(...page.items);
    cursor = page.nextCursor ?? null;
  } while (cursor !== null);
  return all;
}

async function planned(client: PlatformClient, request: OperationRequest, pollMs: number): Promise<OperationView> {
  const answer = (await client.json('POST', '/v1/operations', request)) as Partial<OperationView> & { operationId: string; refusal?: string | null };
  // 202: the plan takes a while; the operation shows once planned (until then it is not found).
  let view = answer;
  for (const deadline = Date.now() + 120_000; view.status === undefined; ) {
    if (Date.now() > deadline) throw new CliError(`operation ${answer.operationId} is not planned after two minutes: look at it later with GET /v1/operations/${answer.operationId}`, exitCodes.platform);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    view = ((await client.json('GET', `/v1/operations/${answer.operationId}`).catch(() => ({}))) as typeof answer) ?? {};
    if (view.operationId === undefined) view = { operationId: answer.operationId };
  }
  if (view.status === 'failed') throw new CliError(`the platform refused the plan: ${view.refusal ?? 'no reason given'}`, exitCodes.platform);
  return view as OperationView;
}

/** Plans the operation, prints its dry run, and unless it is only a dry run, confirms it and follows it to its end. Returns the exit code. */
export async function runDeadLetterOperation(client: PlatformClient, request: OperationRequest, run: OperationRun, output: Output): Promise<number> {
  const plan = await planned(client, request, run.pollMs);
  const matched = await items(client, plan.operationId);
  if (run.json && run.dryRun) output.out(JSON.stringify({ ...plan, items: matched }, null, 2));
  else {
    output.out(`${request.kind} ${plan.operationId}: ${plan.total} matched${plan.repeatsSideEffect > 0 ? `, ${plan.repeatsSideEffect} would repeat a side effect` : ''}`);
    if (plan.total > 0) {
      output.out([countsLine('consumer', plan.counts.byConsumer), countsLine('code', plan.counts.byCode), countsLine('tool', plan.counts.byTool), countsLine('tenant', plan.counts.byTenant)].join('\n'));
      for (const item of matched) output.out(`  ${item.repeatsSideEffect ? '!' : ' '} ${item.itemId}  ${item.label}`);
    }
  }
  if (plan.total === 0) return operationExitCodes.nothingMatched;
  if (run.dryRun) return exitCodes.ok;
  if (!run.yes) {
    if (!run.tty || !run.ask) throw new CliError(`not confirmed: pass --yes to ${request.kind} these ${plan.total} items without a question (or --dry-run to only look)`, exitCodes.usage);
    const answer = await run.ask(`${request.kind} these ${plan.total} items? [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) {
      output.err(`not confirmed: operation ${plan.operationId} stays planned and acts on nothing`);
      return exitCodes.ok;
    }
  }
  await client.json('POST', `/v1/operations/${plan.operationId}/confirm`);
  const end = await follow(client, plan, run, output);
  if (run.json) output.out(JSON.stringify(end, null, 2));
  else output.out(`${request.kind} ${end.operationId} ${end.status}: ${end.succeeded} succeeded, ${end.failed} failed, ${end.skipped} skipped`);
  if (end.status !== 'completed' || (end.failed > 0 && end.succeeded === 0)) return exitCodes.findings;
  return end.failed > 0 ? operationExitCodes.partialFailure : exitCodes.ok;
}

async function follow(client: PlatformClient, plan: OperationView, run: OperationRun, output: Output): Promise<OperationView> {
  const bar = run.tty ? new cliProgress.SingleBar({ format: `${plan.kind} [{bar}] {value}/{total} ETA {eta_formatted}`, stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic) : null;
  bar?.start(plan.total, 0);
  let shown = -1;
  try {
    for (;;) {
      const view = (await client.json('GET', `/v1/operations/${plan.operationId}`)) as OperationView;
      if (bar) bar.update(view.done);
      else if (view.done !== shown) output.err(`${plan.kind}: ${view.done}/${view.total}${view.etaSeconds === null ? '' : `, about ${view.etaSeconds} s left`}`);
      shown = view.done;
      if (view.status === 'completed' || view.status === 'aborted' || view.status === 'failed') return view;
      await new Promise((resolve) => setTimeout(resolve, run.pollMs));
    }
  } finally {
    bar?.stop();
  }
}

/** The question on the terminal. */
export async function askOnTerminal(question: string): Promise<string> {
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await terminal.question(question);
  } finally {
    terminal.close();
  }
}
