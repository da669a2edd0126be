import { checkedFetch } from './e2e/answer-check.js';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { demoPolicy, provisionDemo } from '@agent-orchestrator/demo';
import { spawnFixture, waitFor, type RunningFixture } from '@agent-orchestrator/testing';
import { auditExportScenario } from './e2e/audit-export.behaviour.js';
import { privacyScenario } from './e2e/privacy.behaviour.js';
import { api, approvalScenario, reworkLoopScenario, type Target } from './e2e/scenarios.behaviour.js';
import { sessionForkScenario } from './e2e/session-fork.behaviour.js';

const root = join(import.meta.dirname, '../../..');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * `npm start` as a newcomer runs it: one process, its own embedded PostgreSQL (no DATABASE_URL,
 * no Kafka), the scripted model, the demo. The same scenarios as in cluster mode run against it,
 * through the public API only.
 */
describe('dev mode: every service in one process on embedded defaults', () => {
  // Under the checkout like a user's (.data/dev): as root, the embedded server runs as user postgres and must reach it.
  const dataDir = join(root, '.data', `dev-e2e-${randomBytes(4).toString('hex')}`);
  const key = randomBytes(32).toString('base64url');
  let crmPort: number;
  let dev: RunningFixture;
  let target: Target;

  const startDev = async (env: Record<string, string> = {}) => {
    const process = spawnFixture(join(root, 'scripts/dev.ts'), {
      PORT: '0',
      DEV_DATA_DIR: dataDir,
      DEV_API_KEY: key,
      DEMO_TOOLS_PORT: String(crmPort),
      LOG_LEVEL: 'warn',
      // Nothing of the machine's: no server to lean on.
      DATABASE_URL: '',
      KAFKA_BROKERS: '',
      ...env,
    });
    return process;
  };
  const ready = async (process: RunningFixture): Promise<Target> => {
    await waitFor('dev mode to be ready', () => process.output().includes('"msg":"dev mode ready"') || process.child.exitCode !== null, { timeoutMs: 90_000 });
    const line = process.output().split('\n').find((candidate) => candidate.includes('"msg":"dev mode ready"'));
    if (!line) throw new Error(`dev mode did not start:\n${process.output().slice(-3000)}`);
    return { url: (JSON.parse(line) as { url: string }).url, key };
  };

  beforeAll(async () => {
    crmPort = await freePort();
    dev = await startDev();
    target = await ready(dev);
  });
  afterAll(async () => {
    dev?.child.kill('SIGTERM');
    await dev?.exited();
    rmSync(dataDir, { recursive: true, force: true });
  });
  afterEach(() => {
    const failed = expect.getState().assertionCalls !== expect.getState().numPassingAsserts;
    if (failed) console.log(dev.output().slice(-4000));
  });

  it('answers /healthz once every service is ready, with the demo tenant set up', async () => {
    const { call } = api(target);
    expect((await checkedFetch(`${target.url}/healthz`)).status).toBe(200);
    // The gateway's port answers readiness for every service of the process: the orchestrator's projections among them.
    const readyz = await waitFor('dev mode ready', async () => {
      const answer = await checkedFetch(`${target.url}/readyz`);
      return answer.status === 200 && ((await answer.json()) as { status: string; checks: { name: string; kind: string }[] });
    });
    expect(readyz.status).toBe('ready');
    expect(readyz.checks).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'projection:sessions', kind: 'projection', stalled: false }), expect.objectContaining({ kind: 'consumer' })]));
    expect((await call('GET', '/v1/tools/crm')).body).toMatchObject({ name: 'crm', baseUrl: `http://127.0.0.1:${crmPort}` });
    // The CRM is on loopback: the demo tenant allows it, and nothing else.
    expect((await call('GET', '/v1/egress')).body).toMatchObject({ version: 1, allow: [`127.0.0.1:${crmPort}`] });
    expect((await call('GET', '/v1/agents/AccountManager')).status).toBe(200);
    expect((await call('GET', '/v1/policies')).body).toMatchObject({ version: 1, rules: [{ id: 'crm-writes-need-approval' }] });
  });

  it("prints the tenant's key and the platform admin's, keeping the latter beside the data; only the platform admin manages tenants", async () => {
    const platformKey = readFileSync(join(dataDir, 'platform-admin-key'), 'utf8').trim();
    expect(platformKey.length).toBeGreaterThanOrEqual(32);
    expect(dev.output()).toContain(`API key:    ${key}`);
    expect(dev.output()).toContain(`Platform admin key: ${platformKey}`);
    const tenants = await checkedFetch(`${target.url}/v1/tenants/demo`, { headers: { authorization: `Bearer ${platformKey}` } });
    expect(tenants.status).toBe(200);
    expect(await tenants.json()).toMatchObject({ tenantId: 'demo', status: 'active' });
    expect((await checkedFetch(`${target.url}/v1/tenants`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(403);
    expect((await checkedFetch(`${target.url}/v1/sessions`, { headers: { authorization: `Bearer ${platformKey}` } })).status).toBe(403);
  });

  it('plans, executes, reviews, reworks once and completes; the WebSocket sees every event in order', () => reworkLoopScenario(target));

  it('holds the write for approval and runs it once with the edited argument', () => approvalScenario(target));

  it('redacts personal data from goals, context, step outputs and approval reasons before storing them, unless the tenant turned it off', () => privacyScenario(target));

  it('exports the audit trail for an auditor (not a viewer) with ao, and the bundles verify offline, the second against the first', () => auditExportScenario(target));

  it('forks the demo session before its approval with another model fixture, with ao: the fork runs to its own approval, the original is untouched, and the diff shows the difference', () =>
    sessionForkScenario(target));

  it('keeps a session that waits for approval across a crash of the whole process, and finishes it after the restart', async () => {
    const { call, waitForStatus } = api(target);
    await provisionDemo({ gatewayUrl: target.url, apiKey: key, crmUrl: `http://127.0.0.1:${crmPort}` });
    expect((await call('PUT', '/v1/policies', { body: demoPolicy })).status).toBe(200);
    const { sessionId } = (await call('POST', '/v1/sessions', { body: { goal: 'Upgrade customer 42 to gold', context: { modelFixture: 'demo-upgrade-customer' } } })).body;
    await waitForStatus(sessionId, 'awaiting_approval');

    await dev.kill();
    dev = await startDev();
    target = await ready(dev);
    const after = api(target);
    expect((await after.call('GET', `/v1/sessions/${sessionId}`)).body.status).toBe('awaiting_approval');
    const [item] = (await after.call('GET', `/v1/approvals?sessionId=${sessionId}`)).body.items;
    expect((await after.call('POST', `/v1/approvals/${item.approvalId}/decision`, { body: { decision: 'approve' } })).body).toMatchObject({ status: 'granted' });
    await after.waitForStatus(sessionId, 'completed');
    // The demo CRM is part of the process and started afresh: the write happened after the restart.
    // The demo CRM, not the gateway: its answers are outside the gateway's document, so unchecked.
    expect(await (await fetch(`http://127.0.0.1:${crmPort}/customers/42`)).json()).toMatchObject({ tier: 'gold' });
    const log = await after.events(sessionId);
    expect(log.filter((event) => event.type === 'StepCompleted').map((event) => (event.data as { stepId: string }).stepId)).toEqual(['look-up', 'upgrade']);
  });

  it('refuses to start on a wrong setting, naming the variable and what it expects', async () => {
    const wrong = spawnFixture(join(root, 'scripts/dev.ts'), { PORT: 'eighty', HOST: 'everywhere', DEV_DATA_DIR: dataDir, DATABASE_URL: '' });
    expect(await wrong.exited()).toBe(1);
    expect(wrong.output()).toContain('PORT: expects the API port: a TCP port from 0 to 65535');
    expect(wrong.output()).toContain('HOST: expects the address to listen on, e.g. 127.0.0.1 or 0.0.0.0');
  });
});
