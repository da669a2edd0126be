import { randomUUID } from 'node:crypto';
import {
  agentRunStream,
  sessionStream,
  toolCallStream,
  toolRegistryStream,
  type AgentCommandMessage,
  type EventEnvelope,
  type NewEvent,
  type ToolDefinition,
} from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import type { ConsumedMessage } from '@agent-orchestrator/messaging';
import { createTestSchema, type TestSchema } from '@agent-orchestrator/testing';
import type { Model, ModelRequest } from '@openai/agents';
import { pino } from 'pino';
import { agentCommandHandler } from '../agents/agent-registry.js';
import { defaultPriceTable } from '../model/pricing.js';
import { AgentRunner } from '../runs/agent-runner.js';
import { ScriptedModels, type ModelSource } from '../runs/model-source.js';

const logger = pino({ level: 'silent' });
const tenantId = 'acme';

/** A 500-operation ERP: widgets, gadgets and so on, and one operation that refunds an invoice. */
function erp(): ToolDefinition {
  const nouns = ['Widget', 'Gadget', 'Order', 'Shipment', 'Supplier', 'Warehouse', 'Ledger', 'Contract', 'Employee', 'Asset'];
  const verbs = ['list', 'get', 'create', 'update', 'archive'];
  const operations: ToolDefinition['operations'] = [];
  for (let index = 0; operations.length < 499; index++) {
    const noun = nouns[index % nouns.length]!;
    const verb = verbs[Math.floor(index / nouns.length) % verbs.length]!;
    operations.push({
      name: `${verb}${noun}${index}`,
      method: verb === 'list' || verb === 'get' ? 'get' : 'post',
      path: `/${noun.toLowerCase()}s/${index}`,
      description: `${verb} ${noun.toLowerCase()} record ${index}`,
      parameters: [],
      body: null,
      inputSchema: { type: 'object', properties: {}, required: [], additionalProperties: false },
      idempotent: verb === 'list' || verb === 'get',
      tags: [noun.toLowerCase()],
    });
  }
  operations.splice(217, 0, {
    name: 'refundInvoice',
    method: 'post',
    path: '/invoices/{invoiceId}/refund',
    description: 'Refund a paid invoice to the customer',
    parameters: [{ name: 'invoiceId', in: 'path', required: true }],
    body: null,
    inputSchema: { type: 'object', properties: { invoiceId: { type: 'string' } }, required: ['invoiceId'], additionalProperties: false },
    idempotent: false,
    tags: ['billing'],
  });
  return { source: { kind: 'inline' }, document: {}, openapi: '3.0.3', title: 'ERP', documentVersion: '1', baseUrl: 'https://erp.example.com', operations, scopes: [] };
}

/** The scripted model, with the names of the tools each request offered written down. */
class WatchedModels implements ModelSource {
  readonly offered: string[][] = [];
  private readonly scripted = new ScriptedModels();

  async modelFor(...[brief, agent, task]: Parameters<ModelSource['modelFor']>) {
    const { model, name } = await this.scripted.modelFor(brief, agent, task);
    const watched: Model = {
      getResponse: (request: ModelRequest) => {
        this.offered.push(request.tools.map((tool) => tool.name));
        return model.getResponse(request);
      },
      getStreamedResponse: (request: ModelRequest) => model.getStreamedResponse(request),
    };
    return { model: watched, name };
  }

  modelForAnalysis(brief: Parameters<ModelSource['modelForAnalysis']>[0]) {
    return this.scripted.modelForAnalysis(brief);
  }
}

describe('find_tools: an agent allowed more operations than a request carries well', () => {
  let db: TestSchema;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestSchema('find_tools');
    store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema });
    const stamp = (type: string, data: unknown): NewEvent => ({
      eventId: randomUUID(),
      type,
      schemaVersion: 1,
      tenantId,
      correlationId: randomUUID(),
      causationId: null,
      actor: { kind: 'user', id: 'key-1' },
      occurredAt: new Date().toISOString(),
      traceparent: null,
      data,
    });
    await store.append(toolRegistryStream(tenantId), [stamp('ToolRegistered', { name: 'erp', version: 1, definition: erp() })]);
    const commandId = randomUUID();
    const metadata = { tenantId, correlationId: commandId, causationId: commandId, actor: { kind: 'user', id: 'key-1' }, traceparent: null, now: new Date().toISOString(), eventIds: [] };
    await agentCommandHandler(store, logger)({
      value: { commandId, command: { type: 'DefineAgent', name: 'Clerk', definition: { instructions: 'You settle billing requests.', tools: ['erp'], handoffs: [], guardrails: [] }, expectedVersion: 0, metadata } },
    } as unknown as ConsumedMessage<AgentCommandMessage>);
  });
  afterAll(async () => {
    await store.close();
    await db.dispose();
  });

  /** A session pinned to the ERP and Clerk, its step scheduled and handed to `runner`. */
  async function stepFor(runner: AgentRunner, modelScript: unknown): Promise<{ sessionId: string; runId: string; runEvents: () => Promise<EventEnvelope[]> }> {
    const sessionId = randomUUID();
    const stamp = (type: string, data: unknown, schemaVersion = 1): NewEvent => ({
      eventId: randomUUID(),
      type,
      schemaVersion,
      tenantId,
      correlationId: sessionId,
      causationId: null,
      actor: { kind: 'service', id: 'orchestrator' },
      occurredAt: new Date().toISOString(),
      traceparent: null,
      data,
    });
    await store.append(sessionStream(sessionId), [
      stamp('SessionStarted', { goal: 'Refund invoice inv-7', context: { modelScript }, constraints: {}, agentVersions: { Clerk: 1 }, toolVersions: { erp: 1 } }, 3),
      stamp('PlanRequested', { planner: 'Planner', attempt: 1 }),
      stamp('PlanProposed', { steps: [{ stepId: 'refund', title: 'Refund the invoice', agent: 'Clerk', dependsOn: [] }] }),
      stamp('StepScheduled', { stepId: 'refund', agent: 'Clerk', attempt: 1 }),
    ]);
    const [request] = await store.readStream(sessionStream(sessionId), { fromVersion: 3 });
    await runner.onWorkRequested(request as Parameters<AgentRunner['onWorkRequested']>[0]);
    const runId = `${sessionId}.step.refund.1`;
    return { sessionId, runId, runEvents: () => store.readStream(agentRunStream(runId)) };
  }

  const script = {
    turns: [
      { agent: 'Clerk', run: 'refund', toolCalls: [{ tool: 'find_tools', arguments: { query: 'refund an invoice' } }] },
      { agent: 'Clerk', run: 'refund', toolCalls: [{ tool: 'erp__refundInvoice', arguments: { invoiceId: 'inv-7' } }] },
      { agent: 'Clerk', run: 'refund', text: 'Refunded inv-7.' },
    ],
  };

  it('finds the one operation it needs, calls it, and resumes in another process with only the chosen schemas offered', async () => {
    const models = new WatchedModels();
    const { sessionId, runId, runEvents } = await stepFor(new AgentRunner({ store, models, prices: defaultPriceTable, logger }), script);

    const paused = await runEvents();
    expect(paused.map((event) => event.type)).toEqual(['AgentRunStarted', 'ModelResponded', 'ModelResponded', 'AgentRunPaused', 'ToolCallRequested']);
    const requested = paused.at(-1) as EventEnvelope & { data: { callId: string; tool: string; arguments: string } };
    expect(requested.data).toMatchObject({ tool: 'erp__refundInvoice', arguments: '{"invoiceId":"inv-7"}' });
    // The first request carries find_tools alone, not 500 schemas; the second what the search chose.
    expect(models.offered[0]).toEqual(['find_tools']);
    expect(models.offered[1]).toContain('erp__refundInvoice');
    expect(models.offered[1]!.length).toBeLessThanOrEqual(6);
    // What the search answered is in the conversation the run saved.
    const { runState } = (paused[3] as EventEnvelope & { data: { runState: string } }).data;
    expect(runState).toContain('These tools are offered from now on');
    expect(runState).toContain('Refund a paid invoice to the customer');

    // The answer comes back; a runner in another process picks the run up from its log.
    await store.append(toolCallStream(runId, requested.data.callId), [
      {
        eventId: randomUUID(),
        type: 'ToolCallCompleted',
        schemaVersion: 1,
        tenantId,
        correlationId: sessionId,
        causationId: requested.eventId,
        actor: { kind: 'service', id: 'tool-adapters' },
        occurredAt: new Date().toISOString(),
        traceparent: null,
        data: { sessionId, runId, callId: requested.data.callId, tool: 'erp__refundInvoice', output: '{"refunded":true}' },
      },
    ]);
    const [answer] = await store.readStream(toolCallStream(runId, requested.data.callId));
    const resumedModels = new WatchedModels();
    await new AgentRunner({ store, models: resumedModels, prices: defaultPriceTable, logger }).onToolAnswered(answer as Parameters<AgentRunner['onToolAnswered']>[0]);
    const ended = await runEvents();
    expect(ended.at(-1)).toMatchObject({ type: 'AgentRunCompleted', data: { output: 'Refunded inv-7.' } });
    expect(resumedModels.offered).toHaveLength(1);
    expect(resumedModels.offered[0]).toEqual(models.offered[1]);
  });

  it('offers every operation when they fit one request (MAX_OFFERED_OPERATIONS at or above their number)', async () => {
    const models = new WatchedModels();
    const direct = { turns: [{ agent: 'Clerk', run: 'refund', toolCalls: [{ tool: 'erp__refundInvoice', arguments: { invoiceId: 'inv-8' } }] }] };
    const { runEvents } = await stepFor(new AgentRunner({ store, models, prices: defaultPriceTable, logger, maxOfferedOperations: 500 }), direct);
    expect(models.offered[0]).toHaveLength(500);
    expect(models.offered[0]).not.toContain('find_tools');
    expect((await runEvents()).at(-1)).toMatchObject({ type: 'ToolCallRequested', data: { tool: 'erp__refundInvoice' } });
  });

  it('does not run an operation the search has not offered: the model is told it has no such tool', async () => {
    const models = new WatchedModels();
    const blind = {
      turns: [
        { agent: 'Clerk', run: 'refund', toolCalls: [{ tool: 'erp__refundInvoice', arguments: { invoiceId: 'inv-9' } }] },
        { agent: 'Clerk', run: 'refund', text: 'Could not refund.' },
      ],
    };
    const { runEvents } = await stepFor(new AgentRunner({ store, models, prices: defaultPriceTable, logger }), blind);
    const events = await runEvents();
    expect(events.map((event) => event.type)).not.toContain('ToolCallRequested');
    expect(events.at(-1)).toMatchObject({ type: 'AgentRunFailed', data: { reason: expect.stringContaining('erp__refundInvoice') } });
  });
});
