import { createTestSchema, type TestSchema } from '@agent-orchestrator/testing';
import { startGatewayOnLog, type GatewayUnderTest } from './gateway-under-test.js';

interface Operation {
  operationId?: string;
  summary?: string;
  parameters?: { name: string; in: string; schema?: object }[];
  requestBody?: { content?: Record<string, { schema?: object }> };
  responses: Record<string, { content?: Record<string, { schema?: object }> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
}

/** The operations of the document, each with its method and path template. */
function operationsOf(document: Document) {
  return Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })));
}

/**
 * What an operation of the document fails to say, one line each: an operationId (unique), a
 * summary, each `{param}` of its path declared with a schema, a 2xx answer with a schema (or a
 * bodiless 202/204, or the WebSocket's 101), a problem+json schema for each 4xx/5xx (or a
 * body of the route's own), and a schema
 * for the body of a POST, PUT or PATCH that takes one.
 */
function documentDefects(document: Document): string[] {
  const defects: string[] = [];
  const seen = new Map<string, string>();
  for (const { method, path, operation } of operationsOf(document)) {
    const route = `${method} ${path}`;
    const id = operation.operationId;
    if (id === undefined || !/^[a-z][A-Za-z]+$/.test(id)) defects.push(`${route}: no operationId of its own (has ${id ?? 'none'})`);
    else if (seen.has(id)) defects.push(`${route}: operationId ${id} is also ${seen.get(id)}'s`);
    else seen.set(id, route);
    if (!operation.summary?.trim()) defects.push(`${route}: no summary`);
    for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
      const declared = operation.parameters?.find((p) => p.in === 'path' && p.name === name);
      if (!declared?.schema) defects.push(`${route}: path parameter ${name} is not declared with a schema`);
    }
    const statuses = Object.keys(operation.responses);
    const successes = statuses.filter((status) => /^2\d\d$/.test(status));
    const described = successes.some((status) => {
      const content = operation.responses[status]!.content;
      return content === undefined ? status === '202' || status === '204' : Object.values(content).every((media) => media.schema !== undefined);
    });
    if (!described && !statuses.includes('101')) defects.push(`${route}: no 2xx answer with a schema (nor a bodiless 202/204)`);
    for (const status of statuses.filter((s) => /^[45]\d\d$/.test(s))) {
      // A problem, unless the route declares its own body for it with Returns (as /readyz does for 503).
      const content = operation.responses[status]!.content;
      if (!content?.['application/problem+json']?.schema && !content?.['application/json']?.schema) defects.push(`${route}: answer ${status} has no problem+json schema`);
    }
    if (['POST', 'PUT', 'PATCH'].includes(method) && operation.requestBody !== undefined && !operation.requestBody.content?.['application/json']?.schema) {
      defects.push(`${route}: its request body has no schema`);
    }
  }
  return defects;
}

/** The operations this document must carry, by the ids clients and the generated client rely on. */
const expectedOperationIds = [
  'getHealth', 'getReadiness', 'startSession', 'listSessions', 'getSession', 'listSessionEvents', 'listSessionStreams', 'listModelCalls', 'cancelSession', 'forkSession', 'diffSessions', 'followSession', 'analyzeSession', 'listSessionAnalyses',
  'createWsTicket', 'listApprovals', 'getApproval', 'decideApproval', 'registerAgent', 'listAgents', 'getAgent', 'updateAgent', 'registerTool', 'listTools', 'getTool',
  'getPolicies', 'setPolicies', 'listPolicyVersions', 'getPolicyVersion', 'getPrivacy', 'setPrivacy', 'getEgress', 'setEgress', 'listBudgets', 'setBudget', 'putSecret', 'deleteSecret', 'listSecrets',
  'createTenant', 'listTenants', 'getTenant', 'deleteTenant', 'suspendTenant', 'resumeTenant',
  'createApiKey', 'listApiKeys', 'rotateApiKey', 'revokeApiKey', 'getRoleMapping', 'setRoleMapping', 'listAdminEvents',
  'getSignInOptions', 'getCaller', 'getSessionSummary',
];

describe('the OpenAPI document', () => {
  let db: TestSchema;
  let gateway: GatewayUnderTest;
  let document: Document;

  beforeAll(async () => {
    db = await createTestSchema('gateway_document');
    gateway = await startGatewayOnLog(db);
    document = (await gateway.call('GET', '/docs/json')).json as Document;
  });
  afterAll(async () => {
    await gateway?.close();
    await db?.dispose();
  });

  it('describes every operation: id, summary, path parameters, answers and bodies', () => {
    expect(documentDefects(document)).toEqual([]);
    const ids = operationsOf(document).map(({ operation }) => operation.operationId);
    expect([...ids].sort()).toEqual([...expectedOperationIds].sort());
  });

  it('names what a route lacks', () => {
    const broken = structuredClone(document);
    const getSession = broken.paths['/v1/sessions/{sessionId}']!.get!;
    delete getSession.summary;
    getSession.parameters = getSession.parameters!.filter((p) => p.in !== 'path');
    delete getSession.responses['200']!.content;
    delete getSession.responses['404']!.content;
    broken.paths['/v1/agents']!.post!.requestBody = { content: { 'application/json': {} } };
    broken.paths['/v1/tools']!.get!.operationId = 'getSession';
    expect(documentDefects(broken)).toEqual(
      expect.arrayContaining([
        'GET /v1/sessions/{sessionId}: no summary',
        'GET /v1/sessions/{sessionId}: path parameter sessionId is not declared with a schema',
        'GET /v1/sessions/{sessionId}: no 2xx answer with a schema (nor a bodiless 202/204)',
        'GET /v1/sessions/{sessionId}: answer 404 has no problem+json schema',
        'POST /v1/agents: its request body has no schema',
        expect.stringMatching(/operationId getSession is also/),
      ]),
    );
  });
});
