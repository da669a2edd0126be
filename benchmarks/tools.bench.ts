/**
 * npm run bench:tools [-- --json] [-- --rounds N] [-- --operations N] [-- --calls N]
 *
 * Two figures, each against a baseline measured side by side in the same run (alternating rounds,
 * medians; see support.ts):
 *
 * - `register_ratio`: reading and compiling a generated OpenAPI document of `--operations`
 *   operations (1,000 by default: shared component schemas, path, query and header parameters,
 *   JSON bodies, answers) as registration does, as JSON text in the gateway's worker thread,
 *   against `@readme/openapi-parser` parsing, validating and dereferencing the same text alone in
 *   process. Goal ≤ 2.
 * - `call_overhead_ratio`: a tool call through the executor (arguments checked against the
 *   schema, egress check of the destination, the answer checked against its schema) against a bare
 *   `fetch` of the same URL, both against the same local server, one call at a time; goal ≤ 1.5.
 *
 * Ratios are ours / baseline in time: lower is better.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ToolDefinition } from '@agent-orchestrator/contracts';
import { EgressGuard } from '@agent-orchestrator/egress';
import { HttpExecutor } from '@agent-orchestrator/tool-adapters';
import { ToolCompiler, compileOpenApi } from '@agent-orchestrator/tools';
import { dereference, validate } from '@readme/openapi-parser';
import { Command } from 'commander';
import { alternate, progressBar, round, type Pair, type Side } from './support.js';

const program = new Command()
  .name('bench:tools')
  .option('--json', 'print the figures as one JSON object on the last line')
  .option('--rounds <n>', 'alternating rounds per measurement', (v) => Number.parseInt(v, 10), 5)
  .option('--operations <n>', 'operations in the generated document', (v) => Number.parseInt(v, 10), 1000)
  .option('--calls <n>', 'tool calls per round', (v) => Number.parseInt(v, 10), 500)
  .parse();
const options = program.opts<{ json?: boolean; rounds: number; operations: number; calls: number }>();

const document = generatedDocument(options.operations, 'http://127.0.0.1:1/api');
const documentText = JSON.stringify(document);
const documentBytes = Buffer.byteLength(documentText);
const compiler = new ToolCompiler();

const answer = JSON.stringify({ id: 'inv-1', status: 'paid', amount: 1250, lines: [{ sku: 'A-1', quantity: 2 }] });
const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end(answer));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;

const compiled = await compileOpenApi(generatedDocument(3, baseUrl));
const definition = { ...compiled, source: { kind: 'inline' }, document: {}, scopes: [] } as unknown as ToolDefinition;
const operation = definition.operations.find((candidate) => candidate.method === 'get')!;
// The server is on loopback: the operator's allow-list lets the executor reach it, as a tenant's would.
const executor = new HttpExecutor({ retries: 0 }, new EgressGuard({ operatorAllow: ['127.0.0.1'] }));
const args = JSON.stringify({ invoiceId: 'inv-1', expand: 'lines', 'x-request-note': 'bench' });
const bareUrl = `${baseUrl}${operation.path.replace('{invoiceId}', 'inv-1')}?expand=lines`;

const bar = progressBar('tools bench', options.rounds * 2);
const results = {
  register: await alternate(options.rounds, bar, 'register', (side) => registerRound(side)),
  call: await alternate(options.rounds, bar, 'call', (side) => callRound(side)),
};
bar.stop();
server.close();
await compiler.close();

const ratio = (pair: Pair) => round(pair.ours / pair.raw, 3);
const figures = {
  register_ratio: ratio(results.register),
  call_overhead_ratio: ratio(results.call),
  register_ms: round(results.register.ours, 1),
  register_parser_ms: round(results.register.raw, 1),
  call_us: round(results.call.ours * 1000, 1),
  call_bare_fetch_us: round(results.call.raw * 1000, 1),
  operations: options.operations,
  document_bytes: documentBytes,
  rounds: options.rounds,
};

console.log(`\nTools: time, median of alternating rounds; ratio = ours / baseline, lower is better`);
console.table({
  [`register ${options.operations} operations (ms)`]: { ours: figures.register_ms, baseline: figures.register_parser_ms, ratio: figures.register_ratio, goal: '≤ 2' },
  'one tool call (µs)': { ours: figures.call_us, baseline: figures.call_bare_fetch_us, ratio: figures.call_overhead_ratio, goal: '≤ 1.5' },
});
if (options.json) console.log(JSON.stringify(figures));

/** Milliseconds to read and compile the document in the worker (ours), or to parse, validate and dereference it with the parser alone. */
async function registerRound(side: Side): Promise<number> {
  const started = performance.now();
  if (side === 'ours') {
    const { compiled } = await compiler.compile({ input: documentText });
    if (compiled.operations.length !== options.operations) throw new Error(`compiled ${compiled.operations.length} of ${options.operations} operations`);
  } else {
    const result = await validate(JSON.parse(documentText) as never, { resolve: { external: false } });
    if (!result.valid) throw new Error('the generated document is not valid');
    await dereference(JSON.parse(documentText) as never, { resolve: { external: false }, dereference: { circular: 'ignore' } });
  }
  return performance.now() - started;
}

/** Milliseconds per call, `--calls` calls one after another. */
async function callRound(side: Side): Promise<number> {
  const started = performance.now();
  for (let call = 0; call < options.calls; call++) {
    if (side === 'ours') {
      const outcome = await executor.call({ tenantId: 'bench', tool: 'invoices', version: 1 }, definition, operation, args, `bench-${call}`);
      if (outcome.outcome !== 'completed') throw new Error(`the call did not complete: ${JSON.stringify(outcome)}`);
    } else {
      const response = await fetch(bareUrl, { headers: { accept: 'application/json', 'x-request-note': 'bench' } });
      JSON.parse(await response.text());
    }
  }
  return (performance.now() - started) / options.calls;
}

/**
 * An OpenAPI 3.0 document of `count` operations over shared component schemas, as large API
 * descriptions are: every fifth a POST with a JSON body, the rest GETs with path, query and header
 * parameters, all answering a referenced schema.
 */
function generatedDocument(count: number, server: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (let index = 0; index < count; index++) {
    const resource = `resource${Math.floor(index / 2)}`;
    const path = index % 2 === 0 ? `/${resource}/{invoiceId}` : `/${resource}/{invoiceId}/lines`;
    const common = {
      tags: [`group${index % 25}`],
      summary: `Operation ${index} on ${resource}`,
      responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Invoice' } } } }, '404': { $ref: '#/components/responses/NotFound' } },
    };
    const parameters = [
      { $ref: '#/components/parameters/InvoiceId' },
      { name: 'expand', in: 'query', schema: { type: 'string', enum: ['lines', 'customer'] } },
      { name: 'x-request-note', in: 'header', schema: { type: 'string', maxLength: 200 } },
    ];
    paths[path] = {
      ...paths[path],
      ...(index % 5 === 4
        ? { post: { ...common, operationId: `create${index}`, parameters: [parameters[0]], requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/NewInvoice' } } } } } }
        : { get: { ...common, operationId: `get${index}`, parameters } }),
    };
  }
  const line = { type: 'object', required: ['sku', 'quantity'], properties: { sku: { type: 'string' }, quantity: { type: 'integer', minimum: 1 } } };
  return {
    openapi: '3.0.3',
    info: { title: 'Generated', version: '1' },
    servers: [{ url: server }],
    paths,
    components: {
      parameters: { InvoiceId: { name: 'invoiceId', in: 'path', required: true, schema: { type: 'string', pattern: '^inv-[0-9]+$' } } },
      responses: { NotFound: { description: 'not found', content: { 'application/json': { schema: { $ref: '#/components/schemas/Problem' } } } } },
      schemas: {
        Line: line,
        Invoice: { type: 'object', required: ['id', 'status'], properties: { id: { type: 'string' }, status: { type: 'string', enum: ['open', 'paid'] }, amount: { type: 'integer' }, lines: { type: 'array', items: { $ref: '#/components/schemas/Line' } } } },
        NewInvoice: { type: 'object', required: ['lines'], properties: { customer: { type: 'string' }, lines: { type: 'array', items: { $ref: '#/components/schemas/Line' }, maxItems: 100 } } },
        Problem: { type: 'object', properties: { title: { type: 'string' }, detail: { type: 'string' } } },
      },
    },
  };
}
