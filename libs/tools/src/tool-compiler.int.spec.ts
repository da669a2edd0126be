import { stringify } from 'yaml';
import { compileOpenApi, ToolDocumentError } from './openapi-tool.js';
import { ToolCompiler } from './tool-compiler.js';

/** A document of `count` GET operations sharing a component schema. */
function documentOf(count: number): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (let index = 0; index < count; index++) {
    paths[`/things/${index}/{id}`] = {
      get: {
        operationId: `getThing${index}`,
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } } },
      },
    };
  }
  return {
    openapi: '3.0.3',
    info: { title: 'Things', version: '1' },
    servers: [{ url: 'https://things.example.com' }],
    paths,
    components: { schemas: { Thing: { type: 'object', properties: { id: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } } } } },
  };
}

describe('compiling documents in a worker thread', () => {
  const compiler = new ToolCompiler();
  afterAll(() => compiler.close());

  it('reads YAML text and compiles it off the event loop, to the same tool as compiling in process', async () => {
    const document = documentOf(300);
    const before = compiler.completed;
    const { document: read, compiled } = await compiler.compile({ input: stringify(document) });
    expect(compiler.completed).toBe(before + 1);
    expect(read).toEqual(document);
    expect(compiled).toEqual(await compileOpenApi(document));
    expect(compiled.operations).toHaveLength(300);
  });

  it("passes the document's problem on as a ToolDocumentError, and never quotes what a URL answered", async () => {
    await expect(compiler.compile({ input: { openapi: '2.5.0', info: {}, paths: {} } })).rejects.toThrow(ToolDocumentError);
    await expect(compiler.compile({ input: { openapi: '2.5.0', info: {}, paths: {} } })).rejects.toThrow(/openapi 2\.5\.0/);
    const answered = compiler.compile({ input: 'secret: internal-value\n  : [', fetchedFrom: 'https://docs.example.com/api.yaml' });
    await expect(answered).rejects.toThrow('What https://docs.example.com/api.yaml answered is not an OpenAPI or Swagger document (JSON or YAML with an "openapi" or "swagger" field).');
    await expect(answered).rejects.not.toThrow(/internal-value/);
  });

  it('refuses a document nested 100,000 deep as the document\'s fault, and compiles the next one', async () => {
    const deep = `{"openapi":"3.0.3","info":{"title":"x","version":"1"},"paths":{},"x-deep":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    await expect(compiler.compile({ input: deep })).rejects.toThrow(ToolDocumentError);
    await expect(compiler.compile({ input: deep })).rejects.toThrow('The document is nested too deeply to read (its objects or arrays go thousands of levels down); no OpenAPI document needs that.');
    const { compiled } = await compiler.compile({ input: documentOf(2) });
    expect(compiled.operations).toHaveLength(2);
  });

  it('gives up on a document that takes longer than allowed, with what to do', async () => {
    const impatient = new ToolCompiler({ timeoutMs: 1 });
    try {
      await expect(impatient.compile({ input: documentOf(2000) })).rejects.toThrow('The document took longer than 0.001 s to compile; register a smaller one, or choose operations with "include".');
    } finally {
      await impatient.close();
    }
  });
});
