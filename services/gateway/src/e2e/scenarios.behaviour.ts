import { checkedFetch } from './answer-check.js';
import type { EventEnvelope } from '@agent-orchestrator/contracts';
import { demoPolicy, provisionDemo, startDemoCrm } from '@agent-orchestrator/demo';
import { waitFor } from '@agent-orchestrator/testing';
import { countCheckedLiveMessage, liveMessageCheck } from './live-message-check.js';

/**
 * End-to-end scenarios that run against any deployment through its public API alone: cluster
 * mode (a process per service, Kafka) and dev mode (one process, the in-process transport).
 */
export interface Target {
  readonly url: string;
  /** An admin key of the tenant. */
  readonly key: string;
}

export function api(target: Target) {
  const call = async (method: string, path: string, init: { key?: string; body?: unknown } = {}) => {
    const response = await checkedFetch(`${target.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${init.key ?? target.key}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  const waitForStatus = (sessionId: string, status: string, timeoutMs = 90_000) =>
    waitFor(`session ${sessionId} to be ${status}`, async () => (await call('GET', `/v1/sessions/${sessionId}`)).body?.status === status, { timeoutMs });
  const events = async (sessionId: string): Promise<EventEnvelope[]> => (await call('GET', `/v1/sessions/${sessionId}/events?limit=1000`)).body.items;
  return { call, waitForStatus, events };
}

/**
 * Every event the session's live WebSocket sent, once it closed normally (after the log's last
 * event); opened with a ticket, as a browser does. Each message must fit the AsyncAPI document the
 * target serves (/docs/asyncapi.json).
 */
export async function followLive(target: Target, sessionId: string): Promise<EventEnvelope[]> {
  const live: EventEnvelope[] = [];
  const mismatches: string[] = [];
  const check = await liveMessageCheck(target.url);
  const issued = await checkedFetch(`${target.url}/v1/ws-tickets`, { method: 'POST', headers: { authorization: `Bearer ${target.key}` } });
  expect(issued.status).toBe(201);
  const { ticket } = (await issued.json()) as { ticket: string };
  const socket = new WebSocket(`${target.url.replace('http', 'ws')}/v1/sessions/${sessionId}/live?ticket=${ticket}`);
  const closed = new Promise<number>((resolve) => socket.addEventListener('close', (event) => resolve(event.code)));
  socket.addEventListener('message', (message) => {
    const parsed = JSON.parse(String(message.data)) as { event?: EventEnvelope };
    const mismatch = check.mismatch(parsed);
    if (mismatch) mismatches.push(mismatch);
    else countCheckedLiveMessage(parsed);
    if (parsed.event) live.push(parsed.event);
  });
  expect(await closed).toBe(1000);
  expect(mismatches).toEqual([]);
  return live;
}

/** Issue 4's loop: three steps (two in parallel), a rework, completion; the WebSocket sees the whole log in order. */
export async function reworkLoopScenario(target: Target): Promise<void> {
  const { call, events, waitForStatus } = api(target);
  const started = await call('POST', '/v1/sessions', { body: { goal: 'Summarise what customers owe us', context: { modelFixture: 'three-steps-rework-once' } } });
  expect(started.status).toBe(202);
  const { sessionId } = started.body as { sessionId: string };
  const live = await followLive(target, sessionId);
  const log = await events(sessionId);
  expect(live).toEqual(log);
  expect(log.map((event) => event.type)).toEqual(expect.arrayContaining(['PlanProposed', 'ReworkRequested', 'SessionCompleted']));
  // The fixture's review sends every step back once: each of the three completes twice.
  expect(log.filter((event) => event.type === 'StepCompleted')).toHaveLength(6);
  // The socket closes after the log's last event; the sessions read model follows on its own.
  await waitForStatus(sessionId, 'completed');
}

/**
 * Issue 5's approval path on the demo CRM: the read runs at once, the write waits for an
 * approver, is approved with an edited argument over REST, and is executed once with it.
 */
export async function approvalScenario(target: Target): Promise<void> {
  const { call, waitForStatus } = api(target);
  const crm = await startDemoCrm(0);
  try {
    await provisionDemo({ gatewayUrl: target.url, apiKey: target.key, crmUrl: crm.url });
    expect((await call('PUT', '/v1/policies', { body: demoPolicy })).status).toBe(200);
    const approver = (await call('POST', '/v1/api-keys', { body: { name: 'scenario-approver', roles: ['approver'] } })).body.apiKey as string;
    const viewer = (await call('POST', '/v1/api-keys', { body: { name: 'scenario-viewer', roles: ['viewer'] } })).body.apiKey as string;

    const { sessionId } = (await call('POST', '/v1/sessions', { body: { goal: 'Upgrade customer 42 to gold', context: { modelFixture: 'demo-upgrade-customer' } } })).body;
    await waitForStatus(sessionId, 'awaiting_approval');
    expect(crm.writes.size).toBe(0);
    const listed = async (status: string) => ((await call('GET', `/v1/sessions?status=${status}&limit=100`)).body.items as { sessionId: string }[]).map((listedSession) => listedSession.sessionId);
    expect(await listed('awaiting_approval')).toContain(sessionId);
    expect(await listed('running')).not.toContain(sessionId);
    const [item] = (await call('GET', `/v1/approvals?sessionId=${sessionId}`, { key: approver })).body.items;
    expect(item).toMatchObject({ tool: 'crm__updateCustomer', arguments: { id: '42', body: { tier: 'gold' } }, rule: { id: 'crm-writes-need-approval' }, status: 'pending' });
    const decide = (key: string, body: unknown) => call('POST', `/v1/approvals/${item.approvalId}/decision`, { key, body });
    expect((await decide(viewer, { decision: 'approve' })).status).toBe(403);
    expect((await decide(approver, { decision: 'approve', arguments: { id: '42', body: { tier: 'silver' } } })).body).toMatchObject({ status: 'granted' });
    expect((await decide(approver, { decision: 'reject', reason: 'changed my mind' })).status).toBe(409);
    await waitForStatus(sessionId, 'completed');
    expect([...crm.writes.values()]).toEqual([{ tier: 'silver' }]);
    expect(await listed('awaiting_approval')).not.toContain(sessionId);
  } finally {
    await call('PUT', '/v1/policies', { body: {} });
    await crm.stop();
  }
}
