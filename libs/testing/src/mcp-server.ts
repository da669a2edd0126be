import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ListToolsRequestSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

/** A notes service as an MCP server: what it was asked, and how many notes it saved. */
export interface McpNotesServer {
  /** The MCP endpoint, `<origin>/mcp`. */
  readonly url: string;
  readonly origin: string;
  /** Every `tools/call` that reached a tool, in order. */
  readonly calls: { readonly tool: string; readonly arguments: unknown }[];
  /** The Authorization header of every request to the endpoint. */
  readonly authorizations: (string | undefined)[];
  /** Notes saved by the write tool: each call saves one. */
  readonly notes: Map<string, string>;
  /** Stops listing and answering a tool, as a server whose tools changed would. */
  remove(tool: string): void;
  close(): Promise<void>;
}

export interface McpNotesServerOptions {
  /** When set, a request without `Authorization: Bearer <token>` is answered 401. */
  readonly token?: string;
  /** Tools per page of `tools/list`, so a client must follow `nextCursor`. */
  readonly pageSize?: number;
}

/**
 * A real MCP server (the SDK's McpServer behind its StreamableHTTPServerTransport, stateless, on
 * node:http) with a read tool, a write tool whose name (valid in MCP) is no valid model tool name, and a tool
 * that always answers an error. `tools/list` is paged. `/` answers like a web page and `/json`
 * like a JSON API that is not MCP, for the refusals.
 */
export async function startMcpNotesServer(options: McpNotesServerOptions = {}): Promise<McpNotesServer> {
  const calls: { tool: string; arguments: unknown }[] = [];
  const authorizations: (string | undefined)[] = [];
  const notes = new Map<string, string>([['n1', 'Call Ada on Monday']]);
  const removed = new Set<string>();
  const pageSize = options.pageSize ?? 1;

  const mcpServer = () => {
    const server = new McpServer({ name: 'notes', title: 'Notes', version: '2.1.0' });
    const listed: Tool[] = [];
    const tool = <Shape extends z.ZodRawShape>(name: string, config: { description: string; input: Shape; annotations: Tool['annotations'] }, run: (args: z.infer<z.ZodObject<Shape>>) => { content: { type: 'text'; text: string }[]; structuredContent?: Record<string, unknown>; isError?: boolean }) => {
      if (removed.has(name)) return;
      const answer = (args: unknown) => {
        calls.push({ tool: name, arguments: args });
        return run(args as z.infer<z.ZodObject<Shape>>);
      };
      server.registerTool(name, { description: config.description, inputSchema: config.input, ...(config.annotations ? { annotations: config.annotations } : {}) }, answer as never);
      listed.push({ name, description: config.description, inputSchema: z.toJSONSchema(z.object(config.input), { target: 'draft-7' }) as Tool['inputSchema'], ...(config.annotations ? { annotations: config.annotations } : {}) });
    };
    tool('read_note', { description: 'Reads one note by its id.', input: { id: z.string().regex(/^n\d+$/) }, annotations: { readOnlyHint: true } }, ({ id }) => {
      const text = notes.get(id);
      return text === undefined ? { content: [{ type: 'text', text: `no note ${id}` }], isError: true } : { content: [{ type: 'text', text: `Note ${id}:` }, { type: 'text', text }] };
    });
    tool('notes.save', { description: 'Saves a note and answers its id.', input: { text: z.string().min(1).max(200) }, annotations: { destructiveHint: false, idempotentHint: false } }, ({ text }) => {
      const id = `n${notes.size + 1}`;
      notes.set(id, text);
      return { content: [{ type: 'text', text: `saved ${id}` }], structuredContent: { id, saved: notes.size } };
    });
    tool('archive_all', { description: 'Archives every note.', input: {}, annotations: { destructiveHint: true } }, () => ({ content: [{ type: 'text', text: 'the notebook is locked' }], isError: true }));
    // Paged listing, so a client must follow nextCursor to see every tool.
    server.server.setRequestHandler(ListToolsRequestSchema, ({ params }) => {
      const start = params?.cursor === undefined ? 0 : Number(params.cursor);
      const next = start + pageSize;
      return { tools: listed.slice(start, next), ...(next < listed.length ? { nextCursor: String(next) } : {}) };
    });
    return server;
  };

  const http = createServer((request: IncomingMessage, response) => {
    const path = new URL(request.url ?? '/', 'http://notes').pathname;
    if (path === '/json') return void response.writeHead(200, { 'content-type': 'application/json' }).end('{"hello":"not MCP"}');
    if (path !== '/mcp') return void response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Notes</body></html>');
    authorizations.push(request.headers.authorization);
    if (options.token !== undefined && request.headers.authorization !== `Bearer ${options.token}`) {
      return void response.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' }).end(`{"error":"not with ${request.headers.authorization ?? 'nothing'}"}`);
    }
    if (request.method !== 'POST') return void response.writeHead(405, { allow: 'POST' }).end();
    // Stateless: a server and transport per request, as the SDK's stateless example does.
    const server = mcpServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    response.on('close', () => void transport.close().then(() => server.close()));
    void server.connect(transport).then(() => transport.handleRequest(request, response));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    url: `${origin}/mcp`,
    origin,
    calls,
    authorizations,
    notes,
    remove: (tool) => void removed.add(tool),
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
