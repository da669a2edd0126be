import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { waitFor } from '@agent-orchestrator/testing';
import { createClient, type AgentOrchestratorClient } from './client.js';
import { regenerateCommand, snapshotPath } from './codegen/openapi-types.js';
import { startCuttingProxy, type CuttingProxy } from './e2e/cutting-proxy.behaviour.js';
import { startDevMode, type DevMode } from './e2e/dev-mode.behaviour.js';
import type { LiveMessage } from './live.js';
import { isProblem, problemTypes } from './problem.js';

const root = join(import.meta.dirname, '../../..');

describe('the TypeScript client against dev mode', () => {
  let dev: DevMode;
  let proxy: CuttingProxy;
  let client: AgentOrchestratorClient;

  beforeAll(async () => {
    dev = await startDevMode('client_e2e');
    proxy = await startCuttingProxy(dev.url, { framesPerConnection: 2 });
    client = createClient({ baseUrl: proxy.url, apiKey: dev.adminKey });
  });

  afterAll(async () => {
    await proxy?.close();
    await dev?.stop();
  });

  it('is generated from the document dev mode serves now', async () => {
    const served: unknown = await (await fetch(`${dev.url}/docs/json`)).json();
    const snapshot: unknown = JSON.parse(readFileSync(join(root, snapshotPath), 'utf8'));
    if (JSON.stringify(served) !== JSON.stringify(snapshot)) throw new Error(`${snapshotPath} differs from the document dev mode serves: run \`${regenerateCommand}\` and commit the result.`);
  });

  it('starts a session, follows it live through dropped connections, decides its approval and pages through its log', async () => {
    const { sessionId } = await client.sessions.start({ goal: 'Upgrade customer 42 to gold', context: { modelFixture: 'demo-upgrade-customer' } });
    const messages: LiveMessage[] = [];
    let reconnects = 0;
    const following = (async () => {
      for await (const message of client.sessions.live(sessionId, { backoff: () => 20, onReconnect: () => (reconnects += 1) })) messages.push(message);
    })();

    const pending = await waitFor('the session to wait for an approval', async () => {
      for await (const approval of client.approvals.all({ sessionId, status: 'pending' })) return approval as { approvalId: string; tool: string };
      return undefined;
    }, { timeoutMs: 60_000, intervalMs: 100 });
    expect(pending.tool).toBe('crm__updateCustomer');
    expect(await client.approvals.decide(pending.approvalId, { decision: 'approve' })).toMatchObject({ status: 'granted' });

    await following;
    const versions = messages.flatMap((message) => (message.kind === 'event' ? [message.event.streamVersion] : []));
    expect(versions).toEqual(versions.map((_, index) => index)); // 0..n: no gap, no duplicate
    expect(messages.at(-1)).toMatchObject({ kind: 'event', event: { type: 'SessionCompleted' } });
    // Every reconnect follows a cut; the last cut may fall on the close frame after the last event, which needs none.
    expect(reconnects).toBeGreaterThanOrEqual(2);
    expect(reconnects).toBeLessThanOrEqual(proxy.cuts());
    expect(await client.sessions.get(sessionId)).toMatchObject({ sessionId, status: 'completed' });

    const paged: number[] = [];
    for await (const event of client.sessions.allEvents(sessionId, { limit: 3 })) paged.push(event.streamVersion);
    expect(versions.length).toBeGreaterThan(6); // several pages of 3
    expect(paged).toEqual(versions);
  });

  it('says who it speaks for, counts the sessions by status, and tells how to sign in', async () => {
    expect(await client.me()).toMatchObject({ tenantId: expect.any(String), roles: ['admin'], via: 'apiKey', expiresAt: null });
    const { byStatus, total } = await client.sessions.summary();
    expect(byStatus.completed).toBeGreaterThanOrEqual(1);
    expect(total).toBe(Object.values(byStatus).reduce((sum, count) => sum + count, 0));
    expect(await createClient({ baseUrl: dev.url }).signInOptions()).toEqual({ oidc: null });
  });

  it('throws typed problems: 404 for a session not in the tenant, 422 for a body the schema refuses', async () => {
    const missing = await client.sessions.get(randomUUID()).catch((error: unknown) => error);
    expect(isProblem(missing, problemTypes.notFound)).toBe(true);
    expect(missing).toMatchObject({ status: 404 });

    const refused = await client.sessions.start({ goal: '' }).catch((error: unknown) => error);
    expect(isProblem(refused, problemTypes.invalidBody)).toBe(true);
    expect(refused).toMatchObject({ status: 422, errors: [expect.objectContaining({ pointer: '#/goal' })] });
  });
});
