import { randomBytes } from 'node:crypto';
import type { EventEnvelope } from '@agent-orchestrator/contracts';
import { startDevModeProcess, startMcpNotesServer, type DevModeProcess, type McpNotesServer } from '@agent-orchestrator/testing';
import { api } from './e2e/scenarios.behaviour.js';

const token = `mcp_${randomBytes(12).toString('hex')}`;

/**
 * An MCP server as a tool in a whole session, in dev mode through the public API: registered with
 * a bearer token from the secret store, its read tool answering at once, its write tool held by a
 * policy rule until an approver approves it, then run exactly once on the server.
 */
describe('a session calls an MCP server: reads at once, the write after approval, once', () => {
  const key = randomBytes(32).toString('base64url');
  let dev: DevModeProcess;
  let notes: McpNotesServer;

  beforeAll(async () => {
    notes = await startMcpNotesServer({ token });
    dev = await startDevModeProcess('mcp_session', { DEV_API_KEY: key });
  });
  afterAll(async () => {
    await dev?.stop();
    await notes?.close();
  });
  afterEach(() => {
    const failed = expect.getState().assertionCalls !== expect.getState().numPassingAsserts;
    if (failed) console.log(dev.output().slice(-4000));
  });

  it('holds the write for approval and runs it once after; the read answers; the token reaches no event', async () => {
    const { call, waitForStatus } = api({ url: dev.url, key });
    // The notes server is on loopback: the tenant opens it, as an admin would.
    expect((await call('PUT', '/v1/egress', { body: { allow: [new URL(notes.url).host] } })).status).toBe(200);
    expect((await call('PUT', '/v1/secrets/notes-token', { body: { value: token } })).status).toBe(200);
    const registered = await call('POST', '/v1/tools', { body: { name: 'notes', mcp: { url: notes.url, credentials: 'notes-token' } } });
    expect(registered).toMatchObject({ status: 201, body: { kind: 'mcp', version: 1 } });
    const save = (registered.body.operations as { name: string }[]).map(({ name }) => name).find((name) => name.startsWith('notes_save_'))!;
    expect((await call('POST', '/v1/agents', { body: { name: 'Scribe', instructions: 'You keep notes.', tools: ['notes'] } })).status).toBe(201);
    const policy = { rules: [{ id: 'notes-writes', effect: 'require_approval', match: { tools: ['notes'], operations: [save] }, approval: { role: 'approver' } }] };
    expect((await call('PUT', '/v1/policies', { body: policy })).status).toBe(200);
    const approver = (await call('POST', '/v1/api-keys', { body: { name: 'mcp-approver', roles: ['approver'] } })).body.apiKey as string;

    const script = {
      turns: [
        { agent: 'Planner', output: { steps: [{ stepId: 'note', title: 'Note the follow-up', agent: 'Scribe', dependsOn: [] }] } },
        { agent: 'Scribe', run: 'note', toolCalls: [{ tool: 'notes__read_note', arguments: { id: 'n1' } }] },
        { agent: 'Scribe', run: 'note', toolCalls: [{ tool: `notes__${save}`, arguments: { text: 'Ada called back' } }] },
        { agent: 'Scribe', run: 'note', text: 'Noted.' },
      ],
    };
    const started = await call('POST', '/v1/sessions', { body: { goal: 'Note the follow-up with Ada', context: { modelScript: script } } });
    expect(started.status).toBe(202);
    const { sessionId } = started.body as { sessionId: string };
    await waitForStatus(sessionId, 'awaiting_approval');
    // The read ran at once; the write waits for a person.
    expect(notes.calls).toEqual([{ tool: 'read_note', arguments: { id: 'n1' } }]);

    const [item] = (await call('GET', `/v1/approvals?sessionId=${sessionId}`, { key: approver })).body.items;
    expect(item).toMatchObject({ status: 'pending', tool: `notes__${save}`, arguments: { text: 'Ada called back' }, rule: { id: 'notes-writes' } });
    const decided = await call('POST', `/v1/approvals/${item.approvalId}/decision`, { key: approver, body: { decision: 'approve' } });
    expect(decided).toMatchObject({ status: 200, body: { status: 'granted' } });
    await waitForStatus(sessionId, 'completed');

    expect(notes.calls).toEqual([
      { tool: 'read_note', arguments: { id: 'n1' } },
      { tool: 'notes.save', arguments: { text: 'Ada called back' } },
    ]);
    expect([...notes.notes.values()]).toEqual(['Call Ada on Monday', 'Ada called back']);
    expect(new Set(notes.authorizations)).toEqual(new Set([`Bearer ${token}`]));

    // Every stream of the session's work: its own, its runs, each call's policy check, answer and approval.
    const { streams } = (await call('GET', `/v1/sessions/${sessionId}/streams`)).body as { streams: { links: { event: EventEnvelope }[] }[] };
    const log = streams.flatMap((stream) => stream.links.map((link) => link.event));
    const answers = log.filter((event) => event.type === 'ToolCallCompleted').map((event) => (event.data as { tool: string; output: string }));
    expect(answers).toEqual([
      expect.objectContaining({ tool: 'notes__read_note', output: 'Note n1:\nCall Ada on Monday' }),
      expect.objectContaining({ tool: `notes__${save}`, output: JSON.stringify({ id: 'n2', saved: 2 }) }),
    ]);
    expect(log.map((event) => event.type)).toEqual(expect.arrayContaining(['ApprovalRequested', 'ApprovalGranted', 'SessionCompleted']));
    expect(JSON.stringify(log)).not.toContain(token);
    expect(JSON.stringify((await call('GET', '/v1/tools/notes')).body)).not.toContain(token);
  });
});
