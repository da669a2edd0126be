import type { ToolDefinition } from '@agent-orchestrator/contracts';
import { EgressGuard, egressErrorIn } from '@agent-orchestrator/egress';
import { scrubSecrets } from '@agent-orchestrator/pii';
import { ArgumentsValidator, McpServerError, listMcpTools, mcpFetch, withMcpClient } from '@agent-orchestrator/tools';
import type { RequestInit as GuardedInit } from 'undici';
import type { CallOutcome, PresentedCredential } from './http-executor.js';

type Operation = ToolDefinition['operations'][number];

export interface McpExecutorOptions {
  /** For the whole call: opening the session, checking the tool is there, and its answer. */
  readonly timeoutMs?: number;
  /** The longest output kept, in characters of the joined answer. */
  readonly maxOutputChars?: number;
  /** The most any one answer of the server may hold; past it the call fails. */
  readonly maxResponseBytes?: number;
}

/** One part of a `tools/call` answer's content, as far as the output needs it. */
interface ContentPart {
  readonly type: string;
  readonly text?: string;
  readonly mimeType?: string;
  readonly data?: string;
  readonly uri?: string;
  readonly resource?: { readonly uri?: string; readonly text?: string; readonly mimeType?: string };
}

/**
 * Calls the tools of registered MCP servers with `tools/call` over streamable HTTP. The arguments
 * are checked against the schema pinned at registration before anything is sent; every request
 * goes through the egress guard with the tenant's allow-list of the moment and follows no
 * redirect; the tool is looked up on the server first, so one it no longer has is a clear failure
 * rather than whatever the server makes of an unknown name. A call is made once: MCP has no
 * idempotency key, so a call whose answer was lost is failed, not repeated.
 */
export class McpExecutor {
  private readonly validator = new ArgumentsValidator();
  private readonly options: Required<McpExecutorOptions>;

  constructor(
    options: McpExecutorOptions = {},
    private readonly egress: EgressGuard = new EgressGuard(),
  ) {
    this.options = { timeoutMs: 30_000, maxOutputChars: 256 * 1024, maxResponseBytes: 1024 * 1024, ...options };
  }

  async call(
    key: { tenantId: string; tool: string; version: number },
    definition: ToolDefinition,
    operation: Operation,
    argumentsJson: string,
    credentials: readonly PresentedCredential[] = [],
    /** The tenant's egress allow-list, as it stands now. */
    egressAllow: readonly string[] = [],
  ): Promise<CallOutcome> {
    const problem = this.validator.problem(`${key.tenantId}/${key.tool}/${key.version}/${operation.name}`, operation, argumentsJson);
    if (problem !== undefined) return { outcome: 'refused', reason: problem.replace(`match ${operation.name}`, `match ${key.tool}.${operation.name}`) };
    if (definition.source.kind !== 'mcp' || operation.mcpTool === undefined) return { outcome: 'refused', reason: `${key.tool}.${operation.name} is not an operation of an MCP server` };
    const { url } = definition.source;
    const mcpTool = operation.mcpTool;
    const bearer = credentials.find(({ scheme }) => scheme.type === 'bearer')?.value;
    const deadline = AbortSignal.timeout(this.options.timeoutMs);
    const transport = mcpFetch(
      async (target, init) => (await this.egress.fetch(target, { ...(init as GuardedInit), signal: init.signal ? AbortSignal.any([init.signal, deadline]) : deadline }, { allow: egressAllow, maxRedirects: 0 })).response as unknown as Response,
      { ...(bearer === undefined ? {} : { bearer }), refusalOf: (error) => egressErrorIn(error)?.message, maxResponseBytes: this.options.maxResponseBytes },
    );
    let sent = false;
    try {
      const outcome = await withMcpClient(
        url,
        transport,
        async (client): Promise<CallOutcome> => {
          const listed = await listMcpTools(client, this.options.timeoutMs);
          if (!listed.some((tool) => tool.name === mcpTool)) {
            return { outcome: 'refused', reason: `the MCP server of ${key.tool} no longer has the tool "${mcpTool}" (version ${key.version} pinned it); register ${key.tool} again to pin the tools it has now` };
          }
          sent = true;
          const answer = await client.callTool({ name: mcpTool, arguments: JSON.parse(argumentsJson) as Record<string, unknown> }, undefined, { timeout: this.options.timeoutMs });
          if (answer.isError === true) return { outcome: 'failed', reason: `${key.tool}.${operation.name} answered with an error: ${textOf(answer as { content?: ContentPart[] }).slice(0, 3000)}`, attempts: 1, gaveUp: false, code: 'tool-error' };
          const output = outputOf(answer as { content?: ContentPart[]; structuredContent?: unknown });
          if (output.length > this.options.maxOutputChars) return { outcome: 'failed', reason: `${key.tool}.${operation.name} answered more than ${this.options.maxOutputChars} characters`, attempts: 1, gaveUp: false, code: 'answer-too-large' };
          return { outcome: 'completed', output, status: 200, attempts: 1 };
        },
        this.options.timeoutMs,
      );
      return withoutCredentials(outcome, bearer);
    } catch (error) {
      const last = transport.last();
      if (last.refused !== undefined) return { outcome: 'refused', reason: last.refused };
      // Opening the session or listing its tools failed: the call itself was never sent.
      if (error instanceof McpServerError && !sent) return withoutCredentials({ outcome: 'refused', reason: error.message }, bearer);
      const where = `${key.tool}.${operation.name}`;
      const reason = deadline.aborted ? `no answer within ${this.options.timeoutMs} ms` : error instanceof Error ? error.message.slice(0, 1000) : String(error);
      return withoutCredentials({ outcome: 'failed', reason: sent ? `${where} was sent and failed: ${reason}` : `${where} could not be called: ${reason}`, attempts: 1, gaveUp: false, code: deadline.aborted ? 'timeout' : 'network' }, bearer);
    }
  }
}

/** What the agent reads of an answer: its structured content as JSON when it has one, otherwise its text. */
export function outputOf(answer: { content?: readonly ContentPart[]; structuredContent?: unknown }): string {
  if (answer.structuredContent !== undefined && answer.structuredContent !== null) return JSON.stringify(answer.structuredContent);
  return textOf(answer);
}

/**
 * The text parts of an answer's content, one per line; a part that is not text (an image, audio,
 * a resource without text) is named with its type rather than carried whole.
 */
function textOf(answer: { content?: readonly ContentPart[] }): string {
  return (answer.content ?? [])
    .map((part) => {
      if (part.type === 'text') return part.text ?? '';
      if (part.type === 'resource' && typeof part.resource?.text === 'string') return part.resource.text;
      const about = [part.mimeType ?? part.resource?.mimeType, part.uri ?? part.resource?.uri, typeof part.data === 'string' ? `${Math.floor((part.data.length * 3) / 4)} bytes` : undefined].filter(Boolean).join(', ');
      return `[${part.type}${about ? `: ${about}` : ''}]`;
    })
    .join('\n');
}

/** A server may echo the token it was sent; it is scrubbed from answers and reasons in every form scrubSecrets knows. */
function withoutCredentials(outcome: CallOutcome, bearer: string | undefined): CallOutcome {
  if (bearer === undefined) return outcome;
  const scrub = (text: string) => scrubSecrets(text, [bearer]).text;
  return outcome.outcome === 'completed' ? { ...outcome, output: scrub(outcome.output) } : { ...outcome, reason: scrub(outcome.reason) };
}
