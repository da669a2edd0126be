import { createHash } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Tool as McpListedTool } from '@modelcontextprotocol/sdk/types.js';
import type { JsonSchema, ToolOperation } from './openapi-tool.js';

export type { McpListedTool };

/** An operation compiled from an MCP tool: no HTTP wiring of its own, the MCP tool it calls instead. */
export type McpOperation = Omit<ToolOperation, 'parameters' | 'security'> & { readonly parameters: readonly never[]; readonly security: readonly string[]; readonly mcpTool: string };

/**
 * Why talking to an MCP server failed, in words that never quote what it answered (the address
 * may not be an MCP server at all): refused by the egress guard, no answer, an answer that is not
 * MCP, or an MCP error.
 */
export class McpServerError extends Error {
  override readonly name = 'McpServerError';

  constructor(
    readonly code: 'Refused' | 'Unreachable' | 'NotMcp' | 'Failed',
    message: string,
  ) {
    super(message);
  }
}

/** Where each request of an MCP session goes: a fetch the caller guards, and what the last one came to. */
export interface McpFetch {
  readonly fetch: FetchLike;
  /** The last HTTP status seen, or the error the last request failed with. */
  readonly last: () => { status?: number; refused?: string; failed?: boolean };
}

/**
 * Wraps a fetch so each request of an MCP session presents the bearer token (when there is one)
 * and what it came to is remembered: the SDK's own errors would quote the server's answer.
 */
export function mcpFetch(
  send: (url: URL, init: RequestInit) => Promise<Response>,
  options: { bearer?: string; refusalOf?: (error: unknown) => string | undefined; maxResponseBytes?: number } = {},
): McpFetch {
  let last: { status?: number; refused?: string; failed?: boolean } = {};
  const fetch: FetchLike = async (url, init = {}) => {
    const headers = new Headers(init.headers);
    if (options.bearer !== undefined) headers.set('authorization', `Bearer ${options.bearer}`);
    try {
      const response = await send(new URL(url), { ...init, headers });
      last = { status: response.status };
      return options.maxResponseBytes === undefined ? response : limited(response, options.maxResponseBytes);
    } catch (error) {
      const refused = options.refusalOf?.(error);
      last = refused === undefined ? { failed: true } : { refused };
      throw error;
    }
  };
  return { fetch, last: () => last };
}

/** The response with its body cut off by an error past `maxBytes`: the SDK would otherwise read whatever a server sends. */
function limited(response: Response, maxBytes: number): Response {
  if (response.body === null) return response;
  let size = 0;
  const limiter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      size += chunk.byteLength;
      if (size > maxBytes) controller.error(new McpServerError('Failed', `the server answered more than ${maxBytes} bytes`));
      else controller.enqueue(chunk);
    },
  });
  return new Response(response.body.pipeThrough(limiter), { status: response.status, statusText: response.statusText, headers: response.headers });
}

/** The MCP server's identity and every tool it lists (all pages), as it answered. */
export interface McpServerListing {
  readonly protocolVersion?: string;
  readonly server: { readonly name: string; readonly version: string; readonly title?: string };
  readonly tools: readonly McpListedTool[];
}

/**
 * Opens an MCP session over streamable HTTP, runs `use` in it and closes it. A failure to open is
 * an McpServerError saying whether the address was refused, unreachable or not an MCP server.
 */
export async function withMcpClient<T>(url: string, transport: McpFetch, use: (client: Client, session: StreamableHTTPClientTransport) => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const client = new Client({ name: 'agent-orchestrator', version: '1' });
  const session = new StreamableHTTPClientTransport(new URL(url), { fetch: transport.fetch });
  try {
    await client.connect(session, { timeout: timeoutMs });
  } catch {
    await client.close().catch(() => undefined);
    const last = transport.last();
    if (last.refused !== undefined) throw new McpServerError('Refused', `${url} was refused: ${last.refused}`);
    if (last.failed || last.status === undefined) throw new McpServerError('Unreachable', `${url} could not be reached: could not connect`);
    if (last.status === 401 || last.status === 403) throw new McpServerError('NotMcp', `${url} answered ${last.status}: the server wants credentials it was not given, or refused them ("mcp.credentials" names the secret sent as a bearer token)`);
    throw new McpServerError('NotMcp', `${url} did not answer as an MCP server over streamable HTTP does (it answered HTTP ${last.status}); give the URL of its MCP endpoint, e.g. https://host/mcp`);
  }
  try {
    return await use(client, session);
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** Every tool the server lists, following `nextCursor` (at most `maxPages` pages, so a looping server cannot hold the caller). */
export async function listMcpTools(client: Client, timeoutMs = 10_000, maxPages = 50): Promise<McpListedTool[]> {
  const tools: McpListedTool[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const answer = await client.listTools(cursor === undefined ? {} : { cursor }, { timeout: timeoutMs });
    tools.push(...answer.tools);
    cursor = answer.nextCursor;
    if (cursor === undefined) return tools;
  }
  throw new McpServerError('Failed', `the server's tool list did not end within ${maxPages} pages`);
}

/** The server's identity and tools, read in one session. */
export async function readMcpServer(url: string, transport: McpFetch, timeoutMs = 10_000): Promise<McpServerListing> {
  return withMcpClient(
    url,
    transport,
    async (client, session) => {
      let tools: McpListedTool[];
      try {
        tools = await listMcpTools(client, timeoutMs);
      } catch (error) {
        if (error instanceof McpServerError) throw error;
        throw new McpServerError('Failed', `${url} could not list its tools: ${(error as Error).message.slice(0, 300)}`);
      }
      const info = client.getServerVersion();
      const { protocolVersion } = session;
      return {
        ...(protocolVersion === undefined ? {} : { protocolVersion }),
        server: { name: info?.name ?? '', version: info?.version ?? '', ...(info?.title === undefined ? {} : { title: info.title }) },
        tools,
      };
    },
    timeoutMs,
  );
}

const validName = /^[A-Za-z0-9_-]{1,64}$/;
const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 8);

/**
 * The operation name of an MCP tool: its own name when it is valid and `<tool>__<name>` fits the
 * providers' 64 characters; otherwise the name with every other character made "_", cut to fit,
 * and ended with a short hash of the server's name, so it stays the same in every version where
 * the server's name did not change and two names never land on one.
 */
export function mcpOperationName(tool: string, mcpName: string): string {
  const room = 64 - tool.length - 2;
  if (validName.test(mcpName) && mcpName.length <= room) return mcpName;
  const suffix = `_${shortHash(mcpName)}`;
  const cleaned = mcpName.replace(/[^A-Za-z0-9_-]+/g, '_');
  return `${cleaned.slice(0, Math.max(0, room - suffix.length))}${suffix}`;
}

/**
 * The listed tools as operations of tool `tool`. An MCP tool may be repeated by a careless server
 * or its made-valid name may meet another's: either is refused, as is a tool name with no room
 * left for operation names.
 */
export function compileMcpTools(tool: string, tools: readonly McpListedTool[], endpoint: URL): McpOperation[] {
  if (tools.length === 0) throw new McpServerError('Failed', 'the MCP server lists no tools');
  if (64 - tool.length - 2 < 9) throw new McpServerError('Failed', `the tool name ${tool} leaves no room for its operations' names within 64 characters (<tool>__<operation>); use a shorter name`);
  const operations = tools.map((listed): McpOperation => {
    const annotations = listed.annotations ?? {};
    return {
      name: mcpOperationName(tool, listed.name),
      // Every MCP call is a POST of `tools/call` to the server's endpoint.
      method: 'post',
      path: endpoint.pathname,
      description: (listed.description ?? listed.title ?? annotations.title ?? listed.name).slice(0, 1000),
      parameters: [],
      body: null,
      inputSchema: withoutDialect(listed.inputSchema),
      idempotent: annotations.readOnlyHint === true || annotations.idempotentHint === true,
      security: [],
      responseSchemas: {},
      mcpTool: listed.name,
    };
  });
  const names = operations.map((operation) => operation.name);
  const repeated = names.filter((name, index) => names.indexOf(name) !== index);
  if (repeated.length > 0) throw new McpServerError('Failed', `the MCP server lists tools whose operation names repeat: ${[...new Set(repeated)].join(', ')}`);
  return operations;
}

/**
 * The schema without its top-level `$schema`: arguments are checked in the platform's own JSON
 * Schema dialect, and a server naming another (2020-12, say) would otherwise make every call fail
 * to compile its validator.
 */
function withoutDialect(schema: McpListedTool['inputSchema']): JsonSchema {
  const { $schema: _dialect, ...rest } = schema as JsonSchema;
  return rest;
}
