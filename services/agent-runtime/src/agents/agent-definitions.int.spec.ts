import { randomUUID } from 'node:crypto';
import {
  agentRegistryStream,
  agentRunStream,
  sessionStream,
  type AgentCommandMessage,
  type AgentDefinition,
  type EventEnvelope,
  type NewEvent,
} from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import type { ConsumedMessage } from '@agent-orchestrator/messaging';
import { createTestSchema, type TestSchema } from '@agent-orchestrator/testing';
import { pino } from 'pino';
import { defaultPriceTable } from '../model/pricing.js';
import { AgentRunner } from '../runs/agent-runner.js';
import { ScriptedModels } from '../runs/model-source.js';
import { agentCommandHandler } from './agent-registry.js';

const logger = pino({ level: 'silent' });
const tenantId = 'acme';
const actor = { kind: 'user', id: 'key-1' } as const;

const definition = (overrides: Partial<AgentDefinition> = {}): AgentDefinition => ({
  instructions: 'You chase overdue invoices.',
  tools: [],
  handoffs: [],
  guardrails: [],
  ...overrides,
});

const defineAgent = (name: string, expectedVersion: number, body: AgentDefinition, commandId = randomUUID()): ConsumedMessage<AgentCommandMessage> =>
  ({
    value: {
      commandId,
      command: {
        type: 'DefineAgent',
        name,
        definition: body,
        expectedVersion,
        metadata: { tenantId, correlationId: commandId, causationId: commandId, actor, traceparent: null, now: new Date().toISOString(), eventIds: [] },
      },
    },
  }) as unknown as ConsumedMessage<AgentCommandMessage>;

describe('agent definitions', () => {
  let db: TestSchema;
  let store: PostgresEventStore;
  let handle: ReturnType<typeof agentCommandHandler>;
  let runner: AgentRunner;

  beforeAll(async () => {
    db = await createTestSchema('agent_definitions');
    store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema });
    handle = agentCommandHandler(store, logger);
    runner = new AgentRunner({ store, models: new ScriptedModels(), prices: defaultPriceTable, logger });
  });
  afterAll(async () => {
    await store.close();
    await db.dispose();
  });

  const registry = () => store.readStream(agentRegistryStream(tenantId));

  /** A session that pinned `agentVersions`, with its request for a step of `agent` scheduled. */
  async function stepFor(agent: string, agentVersions: Record<string, number>, modelScript: unknown): Promise<{ sessionId: string; runEvents: () => Promise<EventEnvelope[]> }> {
    const sessionId = randomUUID();
    const stamp = (type: string, data: unknown): NewEvent => ({
      eventId: randomUUID(),
      type,
      schemaVersion: type === 'SessionStarted' ? 2 : 1,
      tenantId,
      correlationId: sessionId,
      causationId: null,
      actor: { kind: 'service', id: 'orchestrator' },
      occurredAt: new Date().toISOString(),
      traceparent: null,
      data,
    });
    await store.append(sessionStream(sessionId), [
      stamp('SessionStarted', { goal: 'Chase what customers owe', context: { modelScript }, constraints: {}, agentVersions }),
      stamp('PlanRequested', { planner: 'Planner', attempt: 1 }),
      stamp('PlanProposed', { steps: [{ stepId: 'chase', title: 'Chase the overdue invoices', agent, dependsOn: [] }] }),
      stamp('StepScheduled', { stepId: 'chase', agent, attempt: 1 }),
    ]);
    const [request] = await store.readStream(sessionStream(sessionId), { fromVersion: 3 });
    await runner.onWorkRequested(request as Parameters<AgentRunner['onWorkRequested']>[0]);
    return { sessionId, runEvents: () => store.readStream(agentRunStream(`${sessionId}.step.chase.1`)) };
  }

  it('keeps every version of an agent, and refuses an edit made from an outdated version', async () => {
    await handle(defineAgent('Collections', 0, definition()));
    // Version 2 refuses any output that mentions customers.
    await handle(defineAgent('Collections', 1, definition({ guardrails: [{ type: 'blocked_terms', on: 'output', terms: ['customers'] }] })));
    // Made from version 1 after version 2 landed: acknowledged, and nothing written.
    await handle(defineAgent('Collections', 1, definition({ instructions: 'Lost edit.' })));
    expect((await registry()).map((event) => [event.type, (event.data as { version: number }).version])).toEqual([
      ['AgentDefined', 1],
      ['AgentDefined', 2],
    ]);
  });

  it('writes a redelivered definition once', async () => {
    const message = defineAgent('Billing', 0, definition({ instructions: 'You explain invoices.' }));
    await handle(message);
    await handle(message);
    expect((await registry()).filter((event) => (event.data as { name: string }).name === 'Billing')).toHaveLength(1);
  });

  it('refuses a handoff to an agent the tenant does not have, to be dead-lettered with the reason', async () => {
    await expect(handle(defineAgent('Triage', 0, definition({ handoffs: ['Ghost'] })))).rejects.toMatchObject({
      code: 'Rejected',
      message: expect.stringContaining('hands off to agents the tenant does not have: Ghost'),
    });
  });

  it('runs a step on the version the session pinned, not the latest', async () => {
    const script = { turns: [{ agent: 'Collections', run: 'chase', text: 'Chased 3 customers.' }] };
    const onFirst = await (await stepFor('Collections', { Collections: 1 }, script)).runEvents();
    expect(onFirst[0]).toMatchObject({ type: 'AgentRunStarted', data: { agent: 'Collections', agentVersion: 1 } });
    expect(onFirst.at(-1)).toMatchObject({ type: 'AgentRunCompleted', data: { output: 'Chased 3 customers.' } });

    const onSecond = await (await stepFor('Collections', { Collections: 2 }, script)).runEvents();
    expect(onSecond[0]).toMatchObject({ type: 'AgentRunStarted', data: { agent: 'Collections', agentVersion: 2 } });
    expect(onSecond.at(-1)).toMatchObject({ type: 'AgentRunFailed', data: { reason: expect.stringContaining('Collections.guardrails[0] (blocked_terms)') } });
  });

  it('hands a step over to the agent its definition names, which answers under its own guardrails', async () => {
    await handle(defineAgent('Ledger', 0, definition({ instructions: 'You explain invoices briefly.', guardrails: [{ type: 'max_output_chars', limit: 20 }] })));
    await handle(defineAgent('Triage', 0, definition({ instructions: 'You route billing questions.', handoffs: ['Billing', 'Ledger'] })));
    // A run's turns are its first agent's, handoffs included.
    const handOff = (to: string, answer: string) => ({
      turns: [
        { agent: 'Triage', run: 'chase', toolCalls: [{ tool: `transfer_to_${to}` }] },
        { agent: 'Triage', run: 'chase', text: answer },
      ],
    });
    const toBilling = await (await stepFor('Triage', { Triage: 1, Billing: 1, Ledger: 1 }, handOff('Billing', 'Billing: 2 invoices explained.'))).runEvents();
    expect(toBilling.map((event) => event.type)).toEqual(['AgentRunStarted', 'ModelResponded', 'ModelResponded', 'AgentRunCompleted']);
    expect(toBilling.at(-1)).toMatchObject({ data: { output: 'Billing: 2 invoices explained.' } });

    // Only Ledger limits its output, so its guardrail tripping shows Ledger gave the answer.
    const toLedger = await (await stepFor('Triage', { Triage: 1, Billing: 1, Ledger: 1 }, handOff('Ledger', 'Ledger: 2 invoices explained.'))).runEvents();
    expect(toLedger.at(-1)).toMatchObject({
      type: 'AgentRunFailed',
      data: { reason: 'guardrail Ledger.guardrails[0] (max_output_chars) refused the output: 29 characters, at most 20 allowed' },
    });
  });

  it('stores each model response before the model is asked again, and the last one with the run\'s end in one append', async () => {
    await handle(defineAgent('Clerk', 0, definition({ instructions: 'You file invoices.' })));
    await handle(defineAgent('Router', 0, definition({ instructions: 'You route work.', handoffs: ['Clerk'] })));
    const script = { turns: [{ agent: 'Router', run: 'chase', toolCalls: [{ tool: 'transfer_to_Clerk' }] }, { agent: 'Router', run: 'chase', text: 'Filed.' }] };
    const events = await (await stepFor('Router', { Router: 1, Clerk: 1 }, script)).runEvents();
    expect(events.map((event) => event.type)).toEqual(['AgentRunStarted', 'ModelResponded', 'ModelResponded', 'AgentRunCompleted']);
    // Events appended together share their transaction, the first part of the position.
    const transactionOf = (event: EventEnvelope) => event.globalPosition.split('-')[0];
    const [started, first, last, completed] = events.map(transactionOf);
    expect(new Set([started, first, last]).size).toBe(3);
    expect(completed).toBe(last);
  });

  it('fails a run whose output trips a guardrail, naming the guardrail', async () => {
    const guarded = definition({ guardrails: [{ type: 'blocked_terms', on: 'output', terms: ['Guarantee'] }] });
    await handle(defineAgent('Careful', 0, guarded));
    const { runEvents } = await stepFor('Careful', { Careful: 1 }, { turns: [{ agent: 'Careful', run: 'chase', text: 'We guarantee payment by Friday.' }] });
    expect((await runEvents()).at(-1)).toMatchObject({
      type: 'AgentRunFailed',
      data: { retryable: false, reason: 'guardrail Careful.guardrails[0] (blocked_terms) refused the output: contains "Guarantee"' },
    });
  });

  it('never sends input that trips an input guardrail to the model', async () => {
    const guarded = definition({ guardrails: [{ type: 'blocked_terms', on: 'input', terms: ['overdue'] }] });
    await handle(defineAgent('Strict', 0, guarded));
    const { runEvents } = await stepFor('Strict', { Strict: 1 }, { turns: [{ agent: 'Strict', run: 'chase', text: 'Done.' }] });
    const events = await runEvents();
    expect(events.map((event) => event.type)).toEqual(['AgentRunStarted', 'AgentRunFailed']);
    expect(events[1]).toMatchObject({ data: { reason: 'guardrail Strict.guardrails[0] (blocked_terms) refused the input: contains "overdue"' } });
  });

  it('fails a run for an agent the session neither pinned nor has built in', async () => {
    const { runEvents } = await stepFor('Ghostwriter', {}, { turns: [] });
    expect((await runEvents()).at(-1)).toMatchObject({
      type: 'AgentRunFailed',
      data: { retryable: false, reason: expect.stringContaining('the session has no agent named Ghostwriter') },
    });
  });
});
