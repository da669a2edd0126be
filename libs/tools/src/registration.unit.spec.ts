import { operationToolName } from '@agent-orchestrator/contracts';
import { compileOpenApi, ToolDocumentError } from './openapi-tool.js';

const ok = { '200': { description: 'ok' } };
const document = (paths: Record<string, unknown>, version = '1') => ({ openapi: '3.0.3', info: { title: 'Registration', version }, paths });
const xmlBody = { requestBody: { content: { 'application/xml': { schema: { type: 'object' } } } }, responses: ok };

describe('registering what can be called and listing the rest', () => {
  it('compiles the callable operations and lists each other one with why', async () => {
    const tool = await compileOpenApi(
      document({
        '/invoices': { get: { operationId: 'listInvoices', responses: ok }, post: { operationId: 'importInvoices', ...xmlBody } },
        '/legacy': { put: xmlBody },
      }),
    );
    expect(tool.operations.map((operation) => operation.name)).toEqual(['listInvoices']);
    expect(tool.skipped).toEqual([
      { method: 'post', path: '/invoices', operationId: 'importInvoices', reason: expect.stringMatching(/^its request body is application\/xml; supported are JSON/) },
      { method: 'put', path: '/legacy', reason: expect.stringMatching(/^its request body is application\/xml/) },
    ]);
  });

  it('lists an operation whose arguments are recursive as skipped, and checks no answer against a recursive schema', async () => {
    const node = { type: 'object', properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/components/schemas/Node' } } } };
    const tool = await compileOpenApi({
      ...document({
        '/tree': {
          get: { operationId: 'readTree', responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Node' } } } } } },
          post: { operationId: 'plantTree', requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Node' } } } }, responses: ok },
        },
      }),
      components: { schemas: { Node: node } },
    });
    expect(tool.operations.map(({ name, responseSchemas }) => ({ name, responseSchemas }))).toEqual([{ name: 'readTree', responseSchemas: {} }]);
    expect(tool.skipped).toEqual([{ method: 'post', path: '/tree', operationId: 'plantTree', reason: expect.stringMatching(/^its arguments' schema refers to itself \(#\/components\/schemas\/Node\)/) }]);
  });

  it('refuses a document with nothing callable, quoting at most ten reasons', async () => {
    const paths = Object.fromEntries(Array.from({ length: 13 }, (_, i) => [`/feeds/${i}`, { post: xmlBody }]));
    const refusal = await compileOpenApi(document(paths)).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ToolDocumentError);
    const lines = (refusal as Error).message.split('\n');
    expect(lines[0]).toBe("None of the document's operations can be called by the platform, so there is nothing to register:");
    expect(lines.slice(1, 11)).toEqual(Array.from({ length: 10 }, (_, i) => expect.stringMatching(new RegExp(`^POST /feeds/${i}: its request body is application/xml`))));
    expect(lines.slice(11)).toEqual(['(and 3 more)']);
  });
});

describe('operation names models can call', () => {
  const longId = 'retrieveTheCompleteListOfOutstandingInvoicesForOneCustomerAccountIncludingDrafts';

  it('uses a valid operationId, and otherwise method and path', async () => {
    const tool = await compileOpenApi(
      document({
        '/customers/{customerId}/notes': { get: { operationId: 'List customer notes', parameters: [{ name: 'customerId', in: 'path', required: true, schema: { type: 'string' } }], responses: ok } },
        '/status': { get: { operationId: 'get-status_v2', responses: ok } },
      }),
      { toolName: 'crm' },
    );
    expect(tool.operations.map((operation) => operation.name)).toEqual(['get_customers_customerId_notes', 'get-status_v2']);
  });

  it('shortens a name so <tool>__<operation> fits 64 characters, the same in every version where the operation is unchanged', async () => {
    const first = await compileOpenApi(document({ '/invoices': { get: { operationId: longId, responses: ok } } }, '1'), { toolName: 'billing_platform' });
    const second = await compileOpenApi(
      document({ '/credit-notes': { get: { operationId: `${longId}AndCredits`, responses: ok } }, '/invoices': { get: { operationId: longId, responses: ok } } }, '2'),
      { toolName: 'billing_platform' },
    );
    const [name] = first.operations.map((operation) => operation.name);
    expect(operationToolName('billing_platform', name!)).toHaveLength(64);
    expect(name).toMatch(/^retrieveTheCompleteListOfOutstand[A-Za-z]*_[0-9a-f]{8}$/);
    expect(second.operations.find((operation) => operation.path === '/invoices')!.name).toBe(name);
    const other = second.operations.find((operation) => operation.path === '/credit-notes')!.name;
    expect(other).not.toBe(name);
    expect(operationToolName('billing_platform', other).length).toBeLessThanOrEqual(64);

    const fitting = longId.slice(0, 55);
    const shortTool = await compileOpenApi(document({ '/invoices': { get: { operationId: fitting, responses: ok } } }), { toolName: 'b' });
    expect(shortTool.operations[0]!.name).toBe(fitting);
  });

  it('keeps names unique: names only a path tells apart get its hash, operationIds stay as they are', async () => {
    const tool = await compileOpenApi(
      document({
        '/a-b': { get: { responses: ok } },
        '/a_b': { get: { responses: ok } },
        '/c': { get: { operationId: 'get_a_b_c', responses: ok } },
        '/a/b/c': { get: { responses: ok } },
      }),
      { toolName: 'paths' },
    );
    const names = tool.operations.map((operation) => operation.name);
    expect(names).toEqual([expect.stringMatching(/^get_a_b_[0-9a-f]{8}$/), expect.stringMatching(/^get_a_b_[0-9a-f]{8}$/), 'get_a_b_c', expect.stringMatching(/^get_a_b_c_[0-9a-f]{8}$/)]);
    expect(new Set(names).size).toBe(4);
  });

  it('compiles a thousand operations in seconds, every model-facing name unique and within 64 characters', async () => {
    const paths: Record<string, unknown> = {};
    for (let i = 0; i < 500; i++) {
      const parameters = [{ name: 'resourceIdentifier', in: 'path', required: true, schema: { type: 'string' } }];
      paths[`/organisations/departments/resources/category-${i}/{resourceIdentifier}`] = {
        get: { parameters, responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Resource' } } } } } },
        put: { parameters, requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Resource' } } } }, responses: ok },
      };
    }
    const big = { ...document(paths), components: { schemas: { Resource: { type: 'object', properties: { id: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } } } } } };
    const started = performance.now();
    const tool = await compileOpenApi(big, { toolName: 'enterprise_resources' });
    expect(performance.now() - started).toBeLessThan(10_000);
    const names = tool.operations.map((operation) => operationToolName('enterprise_resources', operation.name));
    expect(names).toHaveLength(1000);
    expect(new Set(names).size).toBe(1000);
    expect(names.every((name) => /^[A-Za-z0-9_-]{1,64}$/.test(name))).toBe(true);
  });
});

describe('include and exclude', () => {
  const shop = document({
    '/orders': { get: { operationId: 'listOrders', tags: ['orders'], responses: ok }, post: { operationId: 'createOrder', tags: ['orders', 'write'], responses: ok } },
    '/admin/users': { get: { operationId: 'listUsers', tags: ['admin'], responses: ok }, post: { operationId: 'importUsers', tags: ['admin'], ...xmlBody } },
    '/catalog/items': { get: { operationId: 'listItems', tags: ['catalog'], responses: ok } },
  });
  const names = async (options: Parameters<typeof compileOpenApi>[1]) => (await compileOpenApi(shop, options)).operations.map((operation) => operation.name);

  it('offers what matches include by tag, operationId or path prefix, less what matches exclude', async () => {
    expect(await names({ include: { tags: ['orders'] } })).toEqual(['listOrders', 'createOrder']);
    expect(await names({ include: { tags: ['orders'], operationIds: ['listItems'] }, exclude: { tags: ['write'] } })).toEqual(['listOrders', 'listItems']);
    expect(await names({ exclude: { pathPrefixes: ['/admin/'] } })).toEqual(['listOrders', 'createOrder', 'listItems']);
    expect(await names({ include: { pathPrefixes: ['/catalog'] } })).toEqual(['listItems']);
  });

  it('does not list excluded operations as skipped', async () => {
    expect((await compileOpenApi(shop)).skipped.map((skip) => skip.operationId)).toEqual(['importUsers']);
    expect((await compileOpenApi(shop, { exclude: { tags: ['admin'] } })).skipped).toEqual([]);
  });

  it('refuses operationIds the document does not have, and a selection that leaves nothing', async () => {
    await expect(compileOpenApi(shop, { include: { operationIds: ['listOrders', 'lisItems'] } })).rejects.toThrow('"include.operationIds" names operations the document does not have: "lisItems". Use the operationIds as the document spells them.');
    await expect(compileOpenApi(shop, { exclude: { operationIds: ['deleteEverything'] } })).rejects.toThrow(/"exclude.operationIds" .*"deleteEverything"/);
    await expect(compileOpenApi(shop, { include: { tags: ['nothing-has-this'] } })).rejects.toThrow(`"include" and "exclude" leave none of the document's 5 operations; choose at least one.`);
  });
});
