import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { demoPolicy } from '@agent-orchestrator/demo';
import type { Operation } from '../fuzz/requests.js';
import { caller, type Answer } from './two-tenants.behaviour.js';

/** How the specs' tables name an operation of /docs/json: `POST /v1/sessions/{sessionId}/cancel`. */
export const routeOf = (operation: Pick<Operation, 'method' | 'path'>): string => `${operation.method} ${operation.path}`;

/** The kind of id a path parameter names: the segment before the first one (`/v1/sessions/{sessionId}/events` → sessions). */
export function idKindOf(path: string): string | undefined {
  return /\/([^/{}]+)\/\{/.exec(path)?.[1];
}

/** A query parameter that names an id (`sessionId`), and the kind it names (sessions). */
export function idQueryKind(name: string): string | undefined {
  const match = /^(\w+)Id$/.exec(name);
  return match ? `${match[1]}s` : undefined;
}

export interface BodyContext {
  /** Makes names unique, so creating twice is two things, not a conflict. */
  readonly unique: string;
  /** The caller's tenant's egress allow-list, which a PUT of it keeps. */
  readonly egressAllow: readonly string[];
}

const smallToolDocument = {
  openapi: '3.0.3',
  info: { title: 'notes', version: '1' },
  servers: [{ url: 'https://notes.example' }],
  paths: { '/notes': { get: { operationId: 'listNotes', responses: { '200': { description: 'the notes' } } } } },
};

/**
 * A valid body for every operation that takes one, keyed as routeOf names it: what an ordinary
 * client sends. A new route that takes a body needs its line here.
 */
export const validBodies: Readonly<Record<string, (context: BodyContext) => unknown>> = {
  'POST /v1/api-keys': ({ unique }) => ({ name: `key ${unique}`, roles: ['viewer'] }),
  'POST /v1/sessions': ({ unique }) => ({ goal: `a goal ${unique}` }),
  'POST /v1/sessions/{sessionId}/cancel': () => ({ reason: 'no longer needed' }),
  'POST /v1/sessions/{sessionId}/fork': () => ({ atVersion: 0 }),
  'POST /v1/sessions/{sessionId}/analysis': () => ({}),
  'POST /v1/agents': ({ unique }) => ({ name: `Agent${unique}`, instructions: 'Answer briefly.' }),
  'PATCH /v1/agents/{name}': ({ unique }) => ({ description: `edited ${unique}` }),
  'POST /v1/tools': ({ unique }) => ({ name: `notes-${unique}`, document: smallToolDocument }),
  'PUT /v1/policies': () => demoPolicy,
  'PUT /v1/privacy': () => ({ redact: 'default' }),
  'PUT /v1/egress': ({ egressAllow }) => ({ allow: egressAllow }),
  'PUT /v1/budgets/{budgetId}': () => ({ scope: { kind: 'tenant' }, period: 'month', unit: 'usd', limit: 1000 }),
  'POST /v1/approvals/{id}/decision': () => ({ decision: 'reject', reason: 'not now' }),
  'PUT /v1/secrets/{name}': ({ unique }) => ({ value: `value ${unique}` }),
  'PUT /v1/alert-webhooks': () => ({ url: 'https://hooks.example.com/ao' }),
  'PUT /v1/platform/alert-webhooks': () => ({ url: 'https://hooks.example.com/platform' }),
  'POST /v1/api-keys/{keyId}/rotate': () => ({ overlapSeconds: 60 }),
  'POST /v1/tenants': ({ unique }) => ({ tenantId: `t-${unique}`, name: `Tenant ${unique}` }),
  'POST /v1/tenants/{tenantId}/suspend': () => ({ reason: 'a spec suspends it' }),
  'POST /v1/ws-tickets': () => ({}),
  'PUT /v1/role-mapping': () => ({ mapping: { 'idp-approvers': ['approver'] } }),
  'POST /v1/audit/exports': () => ({}),
  'PUT /v1/audit/retention': () => ({ days: 365 }),
  'POST /v1/operations': ({ unique }) => ({ kind: 'discard', filter: { tool: `rt-${unique}` }, reason: 'a discard of nothing yet', rate: 1 }),
  'POST /v1/operations/{id}/confirm': () => ({}),
  'POST /v1/operations/{id}/pause': () => ({}),
  'POST /v1/operations/{id}/resume': () => ({}),
  'POST /v1/operations/{id}/abort': () => ({ reason: 'the role table is done with it' }),
  'PUT /v1/prices': () => ({ prices: { scripted: { inputUsdPerMillion: 0, outputUsdPerMillion: 0 }, '*': { inputUsdPerMillion: 0, outputUsdPerMillion: 0 } } }),
};

export function validBody(operation: Operation, context: BodyContext): unknown {
  if (operation.bodyProperties === undefined) return undefined;
  const make = validBodies[routeOf(operation)];
  if (!make) throw new Error(`${routeOf(operation)} takes a body and validBodies (services/gateway/src/e2e/route-requests.behaviour.ts) has none for it: add one line there.`);
  return make(context);
}

export const uniqueSuffix = () => randomBytes(4).toString('hex');

/** The answer to a WebSocket handshake: 101 when it upgraded (the socket is closed at once), else the refusal. */
function handshake(url: string, path: string, key: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${url}${path}`, {
      // A connection of its own: one refused an upgrade is not reused for the next request.
      agent: false,
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64'), authorization: `Bearer ${key}` },
    });
    request.on('upgrade', (_response, socket) => {
      socket.destroy();
      resolve({ status: 101, text: '', json: undefined });
    });
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text, json: undefined }));
    });
    request.on('error', reject);
    request.end();
  });
}

/** Sends one operation's request with `key`: a WebSocket one as a handshake, the others as REST. */
export function send(url: string, operation: Operation, path: string, key: string, body: unknown): Promise<Answer> {
  return operation.upgrades ? handshake(url, path, key) : caller(url)(operation.method, path, key, body);
}

/** The path with each `{parameter}` replaced by `value`. */
export const fillPath = (path: string, value: string): string => path.replace(/\{\w+\}/g, encodeURIComponent(value));
