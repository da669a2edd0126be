import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { createTestSchema, startMcpNotesServer, waitFor, type McpNotesServer, type TestSchema } from '@agent-orchestrator/testing';
import type { Answer, Call } from '../gateway-under-test.js';
import { startGatewayOnLog } from '../gateway-under-test.js';

const acmeKey = randomBytes(32).toString('base64url');

interface RegisterToolCommand {
  commandId: string;
  command: { name: string; definition: { operations: { name: string; mcpTool?: string }[]; document: { tools: { name: string }[] } }; metadata: { tenantId: string; actor: unknown } };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Registering MCP servers through the API, against a real MCP server built with the SDK. The
 * gateway's commands are collected instead of sent: this appends the ToolRegistered that
 * tool-adapters would. Every answer is checked against the served API document.
 */
describe('POST /v1/tools with "mcp": an MCP server as a tool', () => {
  let db: TestSchema;
  let gateway: Awaited<ReturnType<typeof startGatewayOnLog>>;
  let notes: McpNotesServer;
  const acme = (method: string, path: string, call: Call = {}) => gateway.call(method, path, { key: acmeKey, ...call });

  async function landed(post: Promise<Answer>): Promise<{ answer: Answer; command: RegisterToolCommand['command'] }> {
    const before = gateway.sent.length;
    const [message] = await waitFor('the RegisterTool the POST sends', () => gateway.sent.length > before && (gateway.sent[before] as { value: string }[]));
    const { commandId, command } = JSON.parse(message!.value) as RegisterToolCommand;
    const stream = `tool-${command.metadata.tenantId}`;
    const version = (await gateway.store.readStream(stream)).filter((event) => (event.data as { name: string }).name === command.name).length + 1;
    await gateway.store.append(stream, [
      {
        eventId: commandId,
        type: 'ToolRegistered',
        schemaVersion: 1,
        tenantId: command.metadata.tenantId,
        correlationId: commandId,
        causationId: commandId,
        actor: command.metadata.actor as { kind: 'user'; id: string },
        occurredAt: new Date().toISOString(),
        traceparent: null,
        data: { name: command.name, version, definition: command.definition },
      },
    ]);
    return { answer: await post, command };
  }

  /** A registration that must be refused with a 422 saying `detail` (or naming it among the fields' errors), sending nothing. */
  async function refused(body: unknown, detail: RegExp | string): Promise<void> {
    const before = gateway.sent.length;
    const answer = await acme('POST', '/v1/tools', { body });
    expect(answer.status).toBe(422);
    expect(answer.text).toEqual(typeof detail === 'string' ? expect.stringContaining(detail) : expect.stringMatching(detail));
    expect(gateway.sent.length).toBe(before);
  }

  beforeAll(async () => {
    db = await createTestSchema('gateway_mcp_tools');
    notes = await startMcpNotesServer({ pageSize: 2 });
    // The notes server is on loopback, which only the operator's allow-list opens here.
    gateway = await startGatewayOnLog(db, { bootstrapAdminApiKey: acmeKey, bootstrapTenant: 'acme', egressAllow: ['127.0.0.1'] });
  });
  afterAll(async () => {
    await gateway?.close();
    await notes?.close();
    await db?.dispose();
  });

  it("pins every tool the server lists (all pages) as the tool's first version, each an operation with its input schema", async () => {
    const { answer, command } = await landed(acme('POST', '/v1/tools', { body: { name: 'notes', mcp: { url: notes.url }, scopes: ['notes:write'] } }));
    expect(answer.status).toBe(201);
    expect(answer.headers.get('location')).toBe('/v1/tools/notes');
    const save = command.definition.operations.find((operation) => operation.mcpTool === 'notes.save')!.name;
    expect(save).toMatch(/^notes_save_[0-9a-f]{8}$/);
    expect(answer.json).toMatchObject({
      name: 'notes',
      version: 1,
      kind: 'mcp',
      source: { kind: 'mcp', url: notes.url },
      title: 'Notes',
      documentVersion: '2.1.0',
      baseUrl: notes.url,
      scopes: ['notes:write'],
      operations: [
        { name: 'read_note', method: 'post', path: '/mcp', description: 'Reads one note by its id.', idempotent: true, inputSchema: { type: 'object', properties: { id: { type: 'string', pattern: '^n\\d+$' } }, required: ['id'] } },
        { name: save, idempotent: false, inputSchema: { properties: { text: { type: 'string', minLength: 1, maxLength: 200 } } } },
        { name: 'archive_all', idempotent: false },
      ],
    });
    expect((answer.json as { openapi?: string }).openapi).toBeUndefined();
    expect(command.definition.document.tools.map((tool) => tool.name)).toEqual(['read_note', 'notes.save', 'archive_all']);
    expect((await acme('GET', '/v1/tools/notes')).json).toEqual(answer.json);
  });

  it('pins the tool list of the moment as a new version when registered again; the old version keeps its tools', async () => {
    notes.remove('archive_all');
    const { answer } = await landed(acme('POST', '/v1/tools', { body: { name: 'notes', mcp: { url: notes.url } } }));
    expect(answer.status).toBe(201);
    expect(answer.json).toMatchObject({ version: 2 });
    expect((answer.json as { operations: { name: string }[] }).operations.map(({ name }) => name)).not.toContain('archive_all');
    expect((answer.json as { operations: unknown[] }).operations).toHaveLength(2);
    expect(((await acme('GET', '/v1/tools/notes?version=1')).json as { operations: unknown[] }).operations).toHaveLength(3);
  });

  it('refuses an MCP URL that is not http(s) or not a URL, and a body that mixes "mcp" with a document or "credentials"', async () => {
    await refused({ name: 'bad', mcp: { url: 'notes server' } }, /mcp\/url/);
    await refused({ name: 'bad', mcp: { url: 'ftp://127.0.0.1/mcp' } }, /mcp\/url/);
    await refused({ name: 'bad', mcp: { url: notes.url }, document: { openapi: '3.1.0' } }, 'send exactly one of \\"document\\", \\"url\\" or \\"mcp\\"');
    await refused({ name: 'bad', mcp: { url: notes.url }, credentials: { token: 'notes-token' } }, 'name its secret in \\"mcp.credentials\\"');
  });

  it('refuses a server that is not MCP, saying what it answered and never quoting it', async () => {
    await refused({ name: 'web', mcp: { url: notes.origin } }, /did not answer as an MCP server over streamable HTTP does \(it answered HTTP (200|4\d\d)\); give the URL of its MCP endpoint/);
    await refused({ name: 'json', mcp: { url: `${notes.origin}/json` } }, /did not answer as an MCP server over streamable HTTP does/);
    const detail = ((await acme('POST', '/v1/tools', { body: { name: 'json', mcp: { url: `${notes.origin}/json` } } })).json as { detail: string }).detail;
    expect(detail).not.toContain('not MCP');
  });

  it('refuses an address inside the network that no allow-list opens, without connecting, and one where nothing answers', async () => {
    await refused({ name: 'inside', mcp: { url: 'http://10.20.30.40:8080/mcp' } }, /was refused: 10\.20\.30\.40 is a private address.*PUT \/v1\/egress/);
    await refused({ name: 'inside', mcp: { url: `http://127.0.0.2:${new URL(notes.url).port}/mcp` } }, /was refused: 127\.0\.0\.2 is a loopback address/);
    await refused({ name: 'gone', mcp: { url: `http://127.0.0.1:${await closedPort()}/mcp` } }, 'could not be reached: could not connect');
  });

  it('refuses credentials it cannot present (here no secret store is configured), and says when a server wants some', async () => {
    await refused({ name: 'locked', mcp: { url: notes.url, credentials: 'notes-token' } }, 'names secret notes-token, but no secret store is configured');
    const locked = await startMcpNotesServer({ token: 'tok_only_for_the_spec' });
    try {
      await refused({ name: 'locked', mcp: { url: locked.url } }, /answered 401: the server wants credentials it was not given, or refused them \(\\"mcp\.credentials\\" names the secret sent as a bearer token\)/);
      expect(locked.calls).toEqual([]);
    } finally {
      await locked.close();
    }
  });
});
