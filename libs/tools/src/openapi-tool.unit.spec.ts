import { compileOpenApi, ToolDocumentError } from './openapi-tool.js';

const invoicesYaml = `
openapi: 3.0.3
info: { title: Invoices, version: "2.1" }
servers: [{ url: "https://billing.example.com/api/" }]
paths:
  /invoices:
    get:
      operationId: listInvoices
      summary: List invoices
      parameters:
        - { name: status, in: query, schema: { type: string, enum: [open, paid] } }
      responses: { "200": { description: The invoices } }
  /invoices/{invoiceId}/reminders:
    parameters:
      - { name: invoiceId, in: path, required: true, schema: { type: string } }
    post:
      operationId: sendReminder
      summary: Send a payment reminder
      parameters:
        - { name: Idempotency-Key, in: header, schema: { type: string } }
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: "#/components/schemas/Reminder" }
      responses: { "202": { description: Sent } }
components:
  schemas:
    Reminder:
      type: object
      required: [channel]
      properties:
        channel: { type: string, enum: [email, letter] }
`;

describe('compiling an OpenAPI document into tool operations', () => {
  it('turns each operation of a YAML 3.0 document into arguments with one JSON Schema, references resolved', async () => {
    const tool = await compileOpenApi(invoicesYaml);
    expect(tool).toMatchObject({ openapi: '3.0.3', title: 'Invoices', documentVersion: '2.1', baseUrl: 'https://billing.example.com/api' });
    expect(tool.operations.map(({ name, method, path, idempotent }) => ({ name, method, path, idempotent }))).toEqual([
      { name: 'listInvoices', method: 'get', path: '/invoices', idempotent: true },
      { name: 'sendReminder', method: 'post', path: '/invoices/{invoiceId}/reminders', idempotent: false },
    ]);
    expect(tool.operations[1]).toMatchObject({
      description: 'Send a payment reminder',
      parameters: [
        { name: 'invoiceId', in: 'path', required: true },
        { name: 'Idempotency-Key', in: 'header', required: false },
      ],
      body: { required: true },
      inputSchema: {
        type: 'object',
        properties: {
          invoiceId: { type: 'string' },
          'Idempotency-Key': { type: 'string' },
          body: { type: 'object', required: ['channel'], properties: { channel: { type: 'string', enum: ['email', 'letter'] } } },
        },
        required: ['invoiceId', 'body'],
        additionalProperties: false,
      },
    });
  });

  it('takes a 3.1 document as an object, and names an operation without an id by method and path', async () => {
    const tool = await compileOpenApi({
      openapi: '3.1.0',
      info: { title: 'Echo', version: '1' },
      paths: { '/echo/{word}': { get: { parameters: [{ name: 'word', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': { description: 'ok' } } } } },
    });
    expect(tool.baseUrl).toBeNull();
    expect(tool.operations.map((o) => o.name)).toEqual(['get_echo_word']);
  });

  it("refuses an invalid document with the parser's message", async () => {
    const broken = { openapi: '3.0.3', info: { title: 'Broken' }, paths: { '/x': { get: { responses: {} } } } };
    await expect(compileOpenApi(broken)).rejects.toThrow(ToolDocumentError);
    await expect(compileOpenApi(broken)).rejects.toThrow(/not valid: .*must have required property 'version'/s);
  });

  it.each([
    ['text that is not JSON or YAML', '{ "openapi": ', /neither JSON nor YAML/],
    ['a Swagger 1.2 document', { swagger: '1.2', info: { title: 'Old', version: '1' }, paths: {} }, /Only OpenAPI 3.0 and 3.1 and Swagger 2.0 .* Swagger 1.2/],
    ['an OpenAPI 3.2 document', { openapi: '3.2.0', info: { title: 'New', version: '1' }, paths: {} }, /this one has openapi 3.2.0/],
    ['a document without operations', { openapi: '3.0.3', info: { title: 'Empty', version: '1' }, paths: {} }, /no operations/],
    [
      'a document whose only operation takes a body the platform cannot send',
      {
        openapi: '3.0.3',
        info: { title: 'Upload', version: '1' },
        paths: { '/files': { post: { operationId: 'upload', requestBody: { content: { 'application/xml': { schema: { type: 'object' } } } }, responses: { '201': { description: 'ok' } } } } },
      },
      /None of the document's operations can be called .*\nPOST \/files: its request body is application\/xml; supported are JSON/s,
    ],
    [
      'a reference to another file',
      { openapi: '3.0.3', info: { title: 'Remote', version: '1' }, paths: { '/a': { get: { operationId: 'a', responses: { '200': { $ref: 'file:///etc/passwd' } } } } } },
      /refers to file:\/\/\/etc\/passwd; only references within the document/,
    ],
  ])('refuses %s', async (_case, document, message) => {
    await expect(compileOpenApi(document)).rejects.toThrow(message);
  });

  it('compiles the security schemes it can present and what each operation must present', async () => {
    const compiled = await compileOpenApi({
      openapi: '3.1.0',
      info: { title: 'CRM', version: '1' },
      security: [{ implicit: [] }, { bearer: [] }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          key: { type: 'apiKey', in: 'query', name: 'api_key' },
          login: { type: 'http', scheme: 'basic' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'session' },
          implicit: { type: 'oauth2', flows: { implicit: { authorizationUrl: 'https://auth.example.com/authorize', scopes: {} } } },
        },
      },
      paths: {
        '/a': { get: { operationId: 'a', responses: { '200': { description: 'ok' } } } },
        '/b': { get: { operationId: 'b', security: [{ key: [], login: [] }], responses: { '200': { description: 'ok' } } } },
        '/c': { get: { operationId: 'c', security: [], responses: { '200': { description: 'ok' } } } },
      },
    });
    expect(compiled.securitySchemes).toEqual({ bearer: { type: 'bearer' }, key: { type: 'apiKey', in: 'query', name: 'api_key' }, login: { type: 'basic' }, cookie: { type: 'apiKey', in: 'cookie', name: 'session' } });
    expect(compiled.operations.map((operation) => [operation.name, operation.security])).toEqual([
      ['a', ['bearer']],
      ['b', ['key', 'login']],
      ['c', []],
    ]);
    const tls = {
      openapi: '3.1.0',
      info: { title: 'Mutual TLS', version: '1' },
      components: { securitySchemes: { tls: { type: 'mutualTLS' } } },
      paths: {
        '/a': { get: { operationId: 'a', security: [{ tls: [] }], responses: { '200': { description: 'ok' } } } },
        '/b': { get: { operationId: 'b', security: [], responses: { '200': { description: 'ok' } } } },
      },
    };
    const partly = await compileOpenApi(tls);
    expect(partly.operations.map((operation) => operation.name)).toEqual(['b']);
    expect(partly.skipped).toEqual([{ method: 'get', path: '/a', operationId: 'a', reason: expect.stringMatching(/^its security \(tls\) needs a scheme the platform cannot present/) }]);
    await expect(compileOpenApi({ ...tls, paths: { '/a': tls.paths['/a'] } })).rejects.toThrow(/GET \/a: its security \(tls\) needs a scheme the platform cannot present/);
  });
});
