import { ArgumentsValidator } from './arguments-validator.js';
import { compileOpenApi, type ToolOperation } from './openapi-tool.js';

const ok = { '200': { description: 'ok' } };
const document = (paths: Record<string, unknown>) => ({ openapi: '3.1.0', info: { title: 'Kinds', version: '1' }, servers: [{ url: 'https://kinds.example.com' }], paths });
const byName = (operations: readonly ToolOperation[], name: string) => operations.find((operation) => operation.name === name)!;

describe('compiling the body kinds and parameter locations a call can send', () => {
  it('keeps form bodies as their object schema with the encoding, and chooses JSON when a body offers it too', async () => {
    const { operations } = await compileOpenApi(
      document({
        '/orders': {
          post: {
            operationId: 'createOrder',
            requestBody: {
              required: true,
              content: {
                'application/x-www-form-urlencoded': {
                  schema: { type: 'object', required: ['sku'], properties: { sku: { type: 'string' }, address: { type: 'object', properties: { city: { type: 'string' } } } } },
                  encoding: { address: { style: 'deepObject', explode: true, headers: { 'X-Ignored': { schema: { type: 'string' } } } } },
                },
              },
            },
            responses: ok,
          },
          put: {
            operationId: 'replaceOrders',
            requestBody: { content: { 'application/x-www-form-urlencoded': { schema: { type: 'object' } }, 'application/vnd.shop+json; charset=utf-8': { schema: { type: 'array' } } } },
            responses: ok,
          },
        },
      }),
    );
    const form = byName(operations, 'createOrder');
    expect(form.body).toEqual({ required: true, mediaType: 'application/x-www-form-urlencoded', encoding: { address: { style: 'deepObject', explode: true } } });
    expect((form.inputSchema.properties as Record<string, unknown>).body).toEqual({
      type: 'object',
      required: ['sku'],
      properties: { sku: { type: 'string' }, address: { type: 'object', properties: { city: { type: 'string' } } } },
    });
    const json = byName(operations, 'replaceOrders');
    expect(json.body).toEqual({ required: false, mediaType: 'application/vnd.shop+json; charset=utf-8' });
    expect((json.inputSchema.properties as Record<string, unknown>).body).toEqual({ type: 'array' });
  });

  it('lets each binary multipart property be text or a base64 file, and checks calls against that', async () => {
    const { operations } = await compileOpenApi(
      document({
        '/files': {
          post: {
            operationId: 'upload',
            requestBody: {
              required: true,
              content: {
                'multipart/form-data': {
                  schema: {
                    type: 'object',
                    required: ['file'],
                    properties: {
                      title: { type: 'string' },
                      file: { type: 'string', format: 'binary', description: 'The scan' },
                      pages: { type: 'array', items: { type: 'string', format: 'binary' } },
                      thumbnail: { type: 'string', contentMediaType: 'image/png' },
                    },
                  },
                  encoding: { file: { contentType: 'application/pdf' } },
                },
              },
            },
            responses: ok,
          },
        },
      }),
    );
    const [upload] = operations;
    expect(upload!.body).toEqual({ required: true, mediaType: 'multipart/form-data', encoding: { file: { contentType: 'application/pdf' } } });
    const body = (upload!.inputSchema.properties as Record<string, Record<string, Record<string, unknown>>>).body!;
    expect(body.properties!.title).toEqual({ type: 'string' });
    // Text, base64, or the sha256 of an earlier binary answer, whose kept bytes are sent.
    const file = [{ type: 'string' }, { type: 'object', required: ['base64'] }, { type: 'object', required: ['answer'] }];
    expect(body.properties!.file).toMatchObject({ description: 'The scan', anyOf: file });
    expect(body.properties!.pages).toMatchObject({ type: 'array', items: { anyOf: file } });
    expect(body.properties!.thumbnail).toMatchObject({ anyOf: file });

    const validator = new ArgumentsValidator();
    const check = (args: unknown) => validator.problem('upload', upload as never, JSON.stringify(args));
    expect(check({ body: { file: 'plain text content' } })).toBeUndefined();
    expect(check({ body: { file: { base64: 'JVBERi0=', filename: 'scan.pdf', contentType: 'application/pdf' }, pages: ['a', { base64: 'Yg==' }] } })).toBeUndefined();
    expect(check({ body: { file: { filename: 'scan.pdf' } } })).toMatch(/do not match upload/);
    expect(check({ body: { file: 42 } })).toMatch(/do not match upload/);
    expect(check({ body: { title: 'no file' } })).toMatch(/must have required property 'file'/);
  });

  it('takes text bodies as a string and octet-stream bodies as a string or base64', async () => {
    const { operations } = await compileOpenApi(
      document({
        '/notes': { post: { operationId: 'addNote', requestBody: { required: true, content: { 'text/markdown': { schema: { type: 'string', description: 'The note' } } } }, responses: ok } },
        '/blobs': { put: { operationId: 'putBlob', requestBody: { content: { 'application/octet-stream': {} } }, responses: ok } },
      }),
    );
    const note = byName(operations, 'addNote');
    expect(note.body).toEqual({ required: true, mediaType: 'text/markdown' });
    expect((note.inputSchema.properties as Record<string, unknown>).body).toEqual({ type: 'string', description: 'The note' });
    const blob = byName(operations, 'putBlob');
    expect(blob.body).toEqual({ required: false, mediaType: 'application/octet-stream' });
    const validator = new ArgumentsValidator();
    expect(validator.problem('blob', blob as never, JSON.stringify({ body: { base64: 'AAEC' } }))).toBeUndefined();
    expect(validator.problem('blob', blob as never, JSON.stringify({ body: 'raw' }))).toBeUndefined();
    expect(validator.problem('blob', blob as never, JSON.stringify({ body: { base64: 'AAEC', extra: 1 } }))).toMatch(/do not match putBlob/);
  });

  it('compiles parameters in the path, query, a header and a cookie with their style and explode, ignoring Accept, Content-Type and Authorization headers as OpenAPI says', async () => {
    const { operations, skipped } = await compileOpenApi(
      document({
        '/reports/{ids}': {
          get: {
            operationId: 'report',
            parameters: [
              { name: 'ids', in: 'path', required: true, style: 'matrix', explode: true, schema: { type: 'array', items: { type: 'integer' } } },
              { name: 'filter', in: 'query', style: 'deepObject', explode: true, schema: { type: 'object' } },
              { name: 'fields', in: 'query', style: 'pipeDelimited', explode: false, allowReserved: true, schema: { type: 'array', items: { type: 'string' } } },
              { name: 'X-Trace', in: 'header', schema: { type: 'string' } },
              { name: 'session', in: 'cookie', required: true, schema: { type: 'string' } },
              { name: 'Content-Type', in: 'header', required: true, schema: { type: 'string' } },
              { name: 'accept', in: 'header', schema: { type: 'string' } },
            ],
            responses: ok,
          },
        },
        '/items/{id}': {
          get: {
            operationId: 'twoIds',
            parameters: [
              { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
              { name: 'id', in: 'cookie', schema: { type: 'string' } },
            ],
            responses: ok,
          },
        },
      }),
    );
    expect(operations.map((operation) => operation.name)).toEqual(['report']);
    expect(operations[0]!.parameters).toEqual([
      { name: 'ids', in: 'path', required: true, style: 'matrix', explode: true },
      { name: 'filter', in: 'query', required: false, style: 'deepObject', explode: true },
      { name: 'fields', in: 'query', required: false, style: 'pipeDelimited', explode: false, allowReserved: true },
      { name: 'X-Trace', in: 'header', required: false },
      { name: 'session', in: 'cookie', required: true },
    ]);
    expect(operations[0]!.inputSchema.required).toEqual(['ids', 'session']);
    expect(Object.keys(operations[0]!.inputSchema.properties as object)).toEqual(['ids', 'filter', 'fields', 'X-Trace', 'session']);
    expect(skipped).toEqual([{ method: 'get', path: '/items/{id}', operationId: 'twoIds', reason: expect.stringMatching(/^two arguments would be named "id" .*rename one in the document\.$/) }]);
  });
});

describe('Swagger 2.0 documents', () => {
  const swagger = {
    swagger: '2.0',
    info: { title: 'Pets', version: '7' },
    host: 'pets.example.com',
    basePath: '/v1',
    schemes: ['https'],
    securityDefinitions: { key: { type: 'apiKey', in: 'header', name: 'X-Key' } },
    security: [{ key: [] }],
    paths: {
      '/pets': {
        post: {
          operationId: 'addPet',
          consumes: ['application/json'],
          parameters: [{ in: 'body', name: 'pet', required: true, schema: { $ref: '#/definitions/Pet' } }],
          responses: { '200': { description: 'ok', schema: { $ref: '#/definitions/Pet' } } },
        },
      },
      '/pets/{petId}/photo': {
        post: {
          operationId: 'uploadPhoto',
          consumes: ['multipart/form-data'],
          parameters: [
            { in: 'path', name: 'petId', required: true, type: 'integer' },
            { in: 'formData', name: 'file', type: 'file', required: true },
            { in: 'query', name: 'tags', type: 'array', items: { type: 'string' }, collectionFormat: 'csv' },
          ],
          responses: { '200': { description: 'ok' } },
        },
      },
    },
    definitions: { Pet: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } },
  };

  it('are converted to OpenAPI 3.0 and compiled as usual, saying so', async () => {
    const given = structuredClone(swagger);
    const tool = await compileOpenApi(given, { toolName: 'pets' });
    expect(given).toEqual(swagger);
    expect(tool).toMatchObject({ convertedFrom: 'swagger-2.0', openapi: expect.stringMatching(/^3\.0\.\d+$/), title: 'Pets', documentVersion: '7', baseUrl: 'https://pets.example.com/v1', securitySchemes: { key: { type: 'apiKey', in: 'header', name: 'X-Key' } } });
    const [addPet, uploadPhoto] = tool.operations;
    expect(addPet).toMatchObject({ name: 'addPet', security: ['key'], body: { required: true, mediaType: 'application/json' } });
    expect((addPet!.inputSchema.properties as Record<string, unknown>).body).toEqual({ type: 'object', required: ['name'], properties: { name: { type: 'string' } } });
    expect(addPet!.responseSchemas['200']).toEqual({ type: 'object', required: ['name'], properties: { name: { type: 'string' } } });
    expect(uploadPhoto).toMatchObject({
      body: { mediaType: 'multipart/form-data' },
      parameters: [
        { name: 'petId', in: 'path', required: true },
        { name: 'tags', in: 'query', required: false, style: 'form', explode: false },
      ],
    });
    expect((uploadPhoto!.inputSchema.properties as Record<string, { properties: Record<string, unknown> }>).body!.properties.file).toMatchObject({ anyOf: [{ type: 'string' }, { required: ['base64'] }, { required: ['answer'] }] });
  });

  it('are validated as Swagger and may not refer outside themselves', async () => {
    await expect(compileOpenApi({ ...swagger, info: { title: 'No version' } })).rejects.toThrow(/The Swagger document is not valid: .*version/s);
    const remote = structuredClone(swagger) as { definitions: Record<string, unknown> };
    remote.definitions.Pet = { $ref: 'https://schemas.example.com/pet.json' };
    await expect(compileOpenApi(remote)).rejects.toThrow(/refers to https:\/\/schemas.example.com\/pet.json; only references within the document/);
  });
});
