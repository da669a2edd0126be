import { checkedFetch } from './answer-check.js';
import { randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { waitFor } from '@agent-orchestrator/testing';
import type { Target } from './scenarios.behaviour.js';

/**
 * The status a WebSocket upgrade is answered with (101 when it is accepted), and the body of a
 * refusal. Raw node:http, not checkedFetch: fetch cannot send an upgrade.
 */
export function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const sent = httpRequest(url, {
      agent: false,
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64'), ...headers },
    });
    sent.on('upgrade', (response, socket) => {
      socket.destroy();
      resolve({ status: response.statusCode ?? 0, body: '' });
    });
    sent.on('response', (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    sent.on('error', reject);
    sent.end();
  });
}

/**
 * Issue 13's hostile requests, through the public API of any deployment: each is a 4xx (they
 * answered 500, 503 or 202 before), and a session started after a refused NUL goal is still
 * projected, so no read model was stopped.
 */
export async function hostileInputScenario(target: Target, otherTenantKey: string): Promise<void> {
  const nulCursor = Buffer.from(JSON.stringify({ startedAt: new Date().toISOString(), sessionId: '\u0000' })).toString('base64url');
  // Bodies as JSON text: JSON.stringify itself overflows on a value nested 10,000 deep.
  const refused: [string, string, string | undefined, number][] = [
    ['GET', '/v1/sessions/%00', undefined, 422],
    ['GET', '/v1/approvals?sessionId=%00', undefined, 422],
    ['GET', `/v1/sessions?cursor=${nulCursor}`, undefined, 400],
    ['POST', '/v1/api-keys', JSON.stringify({ name: 'a\u0000b', roles: ['viewer'] }), 422],
    ['POST', '/v1/sessions', JSON.stringify({ goal: 'a\u0000b' }), 422],
    ['POST', `/v1/approvals/${randomUUID()}/decision`, JSON.stringify({ decision: 'reject', reason: 'no\u0000' }), 422],
    ['POST', '/v1/sessions', `{"goal":"g","context":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`, 422],
  ];
  for (const [method, path, body, status] of refused) {
    const response = await checkedFetch(`${target.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${target.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body }),
    });
    expect({ method, path: path.slice(0, 80), status: response.status }).toEqual({ method, path: path.slice(0, 80), status });
  }

  const start = (goal: string) =>
    checkedFetch(`${target.url}/v1/sessions`, { method: 'POST', headers: { authorization: `Bearer ${target.key}`, 'content-type': 'application/json' }, body: JSON.stringify({ goal }) });
  const { sessionId } = (await (await start('started after a NUL was refused')).json()) as { sessionId: string };
  const live = `${target.url}/v1/sessions/${sessionId}/live`;
  expect((await upgradeStatus(`${live}?apiKey=${target.key}&apiKey=x`)).status).toBe(400);
  expect((await upgradeStatus(`${live}?apiKey=${otherTenantKey}`, { authorization: `Bearer ${target.key}` })).status).toBe(401);
  await waitFor(
    'the sessions read model to list a session started after the NUL',
    async () => {
      const listed = await checkedFetch(`${target.url}/v1/sessions?limit=100`, { headers: { authorization: `Bearer ${target.key}` } });
      return (await listed.text()).includes(sessionId);
    },
    { timeoutMs: 60_000 },
  );
}
