import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { operationToolName, toolRegistryStream, type RegisterTool } from '@agent-orchestrator/contracts';
import { createTestSchema, waitFor, type TestSchema } from '@agent-orchestrator/testing';
import type { Answer, Call } from '../gateway-under-test.js';
import { startGatewayOnLog } from '../gateway-under-test.js';

const acmeKey = randomBytes(32).toString('base64url');
const ok = { '200': { description: 'ok' } };

/** A document much like public ones: HTTP digest and cookie security, XML and form bodies, cookie parameters, an operationId with spaces, long names. */
const shop = {
  openapi: '3.0.3',
  info: { title: 'Shop', version: '3' },
  servers: [{ url: 'https://shop.example.com/api' }],
  components: {
    securitySchemes: {
      digest: { type: 'http', scheme: 'digest' },
      key: { type: 'apiKey', in: 'header', name: 'X-Shop-Key' },
    },
  },
  paths: {
    '/orders': {
      get: { operationId: 'List all orders', tags: ['orders'], security: [{ key: [] }], parameters: [{ name: 'session', in: 'cookie', schema: { type: 'string' } }], responses: ok },
      post: {
        operationId: 'createOrderFromTheCheckoutFormWithEveryOptionalFieldTheShopKnows',
        tags: ['orders'],
        security: [{ key: [] }],
        requestBody: { required: true, content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', properties: { sku: { type: 'string' } } } } } },
        responses: ok,
      },
    },
    '/orders/export': { post: { operationId: 'exportOrders', tags: ['orders'], requestBody: { content: { 'application/xml': { schema: { type: 'object' } } } }, responses: ok } },
    '/admin/tokens': { get: { operationId: 'listTokens', tags: ['admin'], security: [{ digest: [] }], responses: ok } },
  },
};

describe('POST /v1/tools registers what can be called and lists what cannot', () => {
  let db: TestSchema;
  let gateway: Awaited<ReturnType<typeof startGatewayOnLog>>;
  let documents: Server;
  let documentsUrl: string;
  const acme = (method: string, path: string, call: Call = {}) => gateway.call(method, path, { key: acmeKey, ...call });

  /**
   * tool-adapters owns the registry stream: the gateway's commands are collected instead of sent,
   * so this appends the ToolRegistered the registry would for the RegisterTool the POST sends.
   */
  async function registered(post: Promise<Answer>): Promise<Answer> {
    const before = gateway.sent.length;
    const sent = await Promise.race([post.then(() => undefined), waitFor('the command the POST sends', () => gateway.sent.length > before && (gateway.sent[before] as { value: string }[]))]);
    if (sent === undefined) return post;
    const { commandId, command } = JSON.parse(sent[0]!.value) as { commandId: string; command: RegisterTool };
    const stream = toolRegistryStream(command.metadata.tenantId);
    const version = (await gateway.store.readStream(stream)).filter((event) => (event.data as { name: string }).name === command.name).length + 1;
    const { tenantId, actor } = command.metadata;
    await gateway.store.append(stream, [
      {
        eventId: commandId,
        type: 'ToolRegistered',
        schemaVersion: 2,
        tenantId,
        correlationId: commandId,
        causationId: commandId,
        actor,
        occurredAt: new Date().toISOString(),
        traceparent: null,
        data: { name: command.name, version, ...(command.definition === undefined ? { stored: command.stored } : { definition: command.definition }) },
      },
    ]);
    return post;
  }

  beforeAll(async () => {
    db = await createTestSchema('gateway_tool_registration');
    documents = createServer((request, response) => {
      if (request.url === '/swagger.yaml') return void response.writeHead(200, { 'content-type': 'application/yaml' }).end(swaggerYaml);
      response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => documents.listen(0, '127.0.0.1', resolve));
    const { port } = documents.address() as AddressInfo;
    documentsUrl = `http://127.0.0.1:${port}`;
    gateway = await startGatewayOnLog(db, { bootstrapAdminApiKey: acmeKey, bootstrapTenant: 'acme', egressAllow: [`127.0.0.1:${port}`] });
  });
  afterAll(async () => {
    await gateway?.close();
    await new Promise((resolve) => documents?.close(resolve));
    await db?.dispose();
  });

  it('answers 201 with the callable operations, fitted names and the skipped ones with why; GET shows both', async () => {
    const answer = await registered(acme('POST', '/v1/tools', { body: { name: 'shop_storefront', document: shop, credentials: { key: 'shop-key' } } }));
    expect(answer.status).toBe(201);
    const tool = answer.json as { name: string; version: number; operations: { name: string; method: string; path: string }[]; skipped: unknown[] };
    expect(tool).toMatchObject({ name: 'shop_storefront', version: 1 });
    expect(tool.operations.map(({ method, path }) => `${method} ${path}`)).toEqual(['get /orders', 'post /orders']);
    const [list, create] = tool.operations.map((operation) => operation.name);
    expect(list).toBe('get_orders');
    expect(create).toMatch(/^createOrderFromTheCheckout[A-Za-z]*_[0-9a-f]{8}$/);
    expect(operationToolName('shop_storefront', create!)).toHaveLength(64);
    expect(tool.skipped).toEqual([
      { method: 'post', path: '/orders/export', operationId: 'exportOrders', reason: expect.stringMatching(/^its request body is application\/xml; supported are JSON/) },
      { method: 'get', path: '/admin/tokens', operationId: 'listTokens', reason: expect.stringMatching(/^its security \(digest\) needs a scheme the platform cannot present/) },
    ]);
    const shown = await acme('GET', '/v1/tools/shop_storefront');
    expect(shown.status).toBe(200);
    expect(shown.json).toMatchObject({ operations: tool.operations, skipped: tool.skipped });

    const [stored] = await gateway.store.readStream(toolRegistryStream('acme'));
    const definition = (stored!.data as { definition: { operations: { name: string; parameters: unknown[]; body: unknown }[] } }).definition;
    expect(definition.operations[0]!.parameters).toEqual([{ name: 'session', in: 'cookie', required: false }]);
    expect(definition.operations[1]!.body).toEqual({ required: true, mediaType: 'application/x-www-form-urlencoded' });
  });

  it('carries onExhausted to the registry and shows it; absent, a tool fails exhausted calls as before; anything else is a 422', async () => {
    const parking = await registered(acme('POST', '/v1/tools', { body: { name: 'shop_parking', document: shop, onExhausted: 'park' } }));
    expect(parking.status).toBe(201);
    expect(parking.json).toMatchObject({ name: 'shop_parking', onExhausted: 'park' });
    expect((await acme('GET', '/v1/tools/shop_parking')).json).toMatchObject({ onExhausted: 'park' });
    const stored = (await gateway.store.readStream(toolRegistryStream('acme'))).at(-1)!;
    expect((stored.data as { definition: { onExhausted?: string } }).definition.onExhausted).toBe('park');
    const failing = await registered(acme('POST', '/v1/tools', { body: { name: 'shop_failing', document: shop } }));
    expect(failing.json).toMatchObject({ onExhausted: 'fail' });
    expect((await gateway.store.readStream(toolRegistryStream('acme'))).at(-1)!.data).not.toHaveProperty('definition.onExhausted');
    const before = (await gateway.store.readStream(toolRegistryStream('acme'))).length;
    const refused = await acme('POST', '/v1/tools', { body: { name: 'shop_other', document: shop, onExhausted: 'retry-forever' } });
    expect(refused.status).toBe(422);
    expect((await gateway.store.readStream(toolRegistryStream('acme'))).length).toBe(before);
  });

  it('keeps each unchanged operation\'s name in the next version', async () => {
    const next = { ...shop, info: { ...shop.info, version: '4' }, paths: { '/carts': { get: { operationId: 'listCarts', responses: ok } }, ...shop.paths } };
    const first = (await acme('GET', '/v1/tools/shop_storefront')).json as { operations: { name: string; path: string; method: string }[] };
    const answer = await registered(acme('POST', '/v1/tools', { body: { name: 'shop_storefront', document: next } }));
    expect(answer.status).toBe(201);
    const second = answer.json as { version: number; operations: { name: string; path: string; method: string }[] };
    expect(second.version).toBe(2);
    expect(second.operations.map((operation) => operation.name)).toEqual(['listCarts', ...first.operations.map((operation) => operation.name)]);
  });

  it('offers only what include chooses, less what exclude removes, and lists no excluded operation as skipped', async () => {
    const answer = await registered(acme('POST', '/v1/tools', { body: { name: 'orders', document: shop, include: { tags: ['orders'] }, exclude: { operationIds: ['exportOrders'], pathPrefixes: ['/orders/export'] } } }));
    expect(answer.status).toBe(201);
    expect(answer.json).toMatchObject({ operations: [{ path: '/orders', method: 'get' }, { path: '/orders', method: 'post' }], skipped: [], include: { tags: ['orders'] } });

    const unknownField = await acme('POST', '/v1/tools', { body: { name: 'orders', document: shop, include: { tag: ['orders'] } } });
    expect(unknownField.status).toBe(422);
    expect(unknownField.text).toContain('tag');
    const typo = await acme('POST', '/v1/tools', { body: { name: 'orders', document: shop, include: { operationIds: ['exportOrder'] } } });
    expect(typo.status).toBe(422);
    expect((typo.json as { detail: string }).detail).toBe('"include.operationIds" names operations the document does not have: "exportOrder". Use the operationIds as the document spells them.');
    const nothing = await acme('POST', '/v1/tools', { body: { name: 'orders', document: shop, include: { tags: ['admin'] }, exclude: { pathPrefixes: ['/admin'] } } });
    expect(nothing.status).toBe(422);
    expect((nothing.json as { detail: string }).detail).toMatch(/leave none of the document's 4 operations/);
    expect(((await acme('GET', '/v1/tools/orders')).json as { version: number }).version).toBe(1);
  });

  it('refuses with 422 a document with nothing callable, saying why for each operation, and whole-document problems as before', async () => {
    const onlyDigest = { ...shop, paths: { '/admin/tokens': shop.paths['/admin/tokens'], '/orders/export': shop.paths['/orders/export'] } };
    const refused = await acme('POST', '/v1/tools', { body: { name: 'tokens', document: onlyDigest } });
    expect(refused.status).toBe(422);
    const detail = (refused.json as { detail: string }).detail;
    expect(detail).toMatch(/^None of the document's operations can be called by the platform/);
    expect(detail).toMatch(/POST \/orders\/export: its request body is application\/xml/);
    expect(detail).toMatch(/GET \/admin\/tokens: its security \(digest\) needs a scheme/);
    const external = await acme('POST', '/v1/tools', { body: { name: 'tokens', document: { ...shop, paths: { '/a': { get: { operationId: 'a', responses: { '200': { $ref: 'https://evil.example.com/r.json' } } } } } } } });
    expect(external.status).toBe(422);
    expect((external.json as { detail: string }).detail).toMatch(/refers to https:\/\/evil.example.com\/r.json/);
    expect((await acme('GET', '/v1/tools/tokens')).status).toBe(404);
    expect(gateway.sent.map((batch) => JSON.parse((batch as { value: string }[])[0]!.value).command.name)).not.toContain('tokens');
  });

  it('registers a document with a thousand operations, and one too large for an event by reference to the attachment that holds it', async () => {
    const paths: Record<string, unknown> = {};
    for (let i = 0; i < 1000; i++) paths[`/r${i}/{id}`] = { get: { tags: [`group-${i % 10}`], parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: ok } };
    const thousand = { openapi: '3.1.0', info: { title: 'Records', version: '1' }, paths };
    const answer = await registered(acme('POST', '/v1/tools', { body: { name: 'records', document: thousand } }));
    expect(answer.status).toBe(201);
    const operations = (answer.json as { operations: { name: string }[] }).operations;
    expect(operations).toHaveLength(1000);
    expect(new Set(operations.map((operation) => operation.name)).size).toBe(1000);

    const entry = { content: { 'application/json': { schema: { type: 'object', properties: { amount: { type: 'number', description: 'The amount in the ledger currency, in minor units' } } } } } };
    const heavy = { ...thousand, paths: Object.fromEntries(Object.entries(paths).map(([path, item]) => [path, { ...(item as object), put: { requestBody: entry, parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: ok } }])) };
    const before = gateway.sent.length;
    const large = await registered(acme('POST', '/v1/tools', { body: { name: 'ledgers', document: heavy } }));
    expect(large.status).toBe(201);
    // The command named the definition by its attachment instead of carrying it.
    const command = (JSON.parse((gateway.sent[before] as { value: string }[])[0]!.value) as { command: RegisterTool }).command;
    expect(command).toMatchObject({ stored: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    expect(command.definition).toBeUndefined();
    const read = await acme('GET', '/v1/tools/ledgers');
    expect((read.json as { operations: unknown[] }).operations).toHaveLength(2000);
    const chosen = await registered(acme('POST', '/v1/tools', { body: { name: 'ledgers', document: heavy, include: { tags: ['group-0'] } } }));
    expect(chosen.status).toBe(201);
    expect((chosen.json as { version: number }).version).toBe(2);
    expect((chosen.json as { operations: { method: string }[] }).operations.map((operation) => operation.method)).toEqual(Array.from({ length: 100 }, () => 'get'));
  });

  it('registers a Swagger 2.0 document fetched by URL, converted to OpenAPI 3.0, keeping the document as given', async () => {
    const answer = await registered(acme('POST', '/v1/tools', { body: { name: 'petstore', url: `${documentsUrl}/swagger.yaml` } }));
    expect(answer.status).toBe(201);
    expect(answer.json).toMatchObject({ convertedFrom: 'swagger-2.0', openapi: expect.stringMatching(/^3\.0\./), baseUrl: 'https://petstore.example.com/v2', operations: [{ name: 'addPet' }, { name: 'uploadFile' }], skipped: [] });
    const events = await gateway.store.readStream(toolRegistryStream('acme'));
    const definition = (events.at(-1)!.data as { definition: { document: Record<string, unknown>; operations: { body: unknown }[] } }).definition;
    expect(definition.document.swagger).toBe('2.0');
    expect(definition.operations[1]!.body).toEqual({ required: false, mediaType: 'multipart/form-data' });
  });
});

const swaggerYaml = `
swagger: "2.0"
info: { title: Petstore, version: "1.0.7" }
host: petstore.example.com
basePath: /v2
schemes: [https]
paths:
  /pet:
    post:
      operationId: addPet
      consumes: [application/json]
      parameters:
        - { in: body, name: body, required: true, schema: { $ref: "#/definitions/Pet" } }
      responses: { "200": { description: ok } }
  /pet/{petId}/uploadImage:
    post:
      operationId: uploadFile
      consumes: [multipart/form-data]
      parameters:
        - { in: path, name: petId, required: true, type: integer }
        - { in: formData, name: file, type: file }
      responses: { "200": { description: ok } }
definitions:
  Pet: { type: object, required: [name], properties: { name: { type: string } } }
`;
