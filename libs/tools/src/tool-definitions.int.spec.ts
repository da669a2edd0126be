import { randomUUID } from 'node:crypto';
import { ToolRegistry, toolRegistryStream, type NewEvent, type ToolDefinition } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import { createTestSchema, type TestSchema } from '@agent-orchestrator/testing';
import { definitionForCommand, hydrateToolEvents, inlineDefinitionBytes } from './tool-definitions.js';

/** A definition of `operations` operations, each with a schema of some weight. */
function definitionOf(operations: number): ToolDefinition {
  return {
    source: { kind: 'inline' },
    document: { openapi: '3.0.3', info: { title: 'Big', version: '1' }, paths: {} },
    openapi: '3.0.3',
    title: 'Big',
    documentVersion: '1',
    baseUrl: 'https://big.example.com',
    scopes: [],
    operations: Array.from({ length: operations }, (_, index) => ({
      name: `operation${index}`,
      method: 'get' as const,
      path: `/things/${index}`,
      description: `Reads thing ${index}`,
      parameters: [],
      body: null,
      inputSchema: { type: 'object', properties: { filter: { type: 'string', description: 'x'.repeat(400) } }, additionalProperties: false },
      idempotent: true,
    })),
  };
}

describe('tool definitions too large for an event', () => {
  let db: TestSchema;
  let store: PostgresEventStore;
  const tenantId = `t${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    db = await createTestSchema('tool_definitions');
    store = await PostgresEventStore.open({ pool: db.pool, schema: db.schema });
  });
  afterAll(async () => {
    await store.close();
    await db.dispose();
  });

  const registered = (name: string, version: number, carried: object): NewEvent => ({
    eventId: randomUUID(),
    type: 'ToolRegistered',
    schemaVersion: 2,
    tenantId,
    correlationId: randomUUID(),
    causationId: null,
    actor: { kind: 'user', id: 'key-1' },
    occurredAt: new Date().toISOString(),
    traceparent: null,
    data: { name, version, ...carried },
  });

  it('keeps a small definition in its event and stores a large one as an attachment the event names', async () => {
    const small = definitionOf(3);
    expect(await definitionForCommand(store, tenantId, small)).toEqual({ definition: small });
    const large = definitionOf(2000);
    expect(Buffer.byteLength(JSON.stringify(large))).toBeGreaterThan(2 * inlineDefinitionBytes);
    const carried = await definitionForCommand(store, tenantId, large);
    expect(carried).toEqual({ stored: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/), bytes: expect.any(Number) } });
    // Gzipped: far smaller than the JSON.
    expect(carried.stored!.bytes).toBeLessThan(Buffer.byteLength(JSON.stringify(large)) / 5);

    await store.append(toolRegistryStream(tenantId), [registered('small', 1, { definition: small }), registered('large', 1, carried)]);
    const events = await store.readStream(toolRegistryStream(tenantId));
    const registry = ToolRegistry.fold(await hydrateToolEvents(store, events));
    expect(registry.latest('small')!.definition).toEqual(small);
    expect(registry.latest('large')!.definition).toEqual(large);
    // Only the versions asked for are loaded.
    const namesOnly = ToolRegistry.fold(await hydrateToolEvents(store, events, (name) => name === 'small'));
    expect(namesOnly.latest('large')!.definition).toBeUndefined();
    expect(namesOnly.pins()).toEqual({ large: 1, small: 1 });
  });

  it('refuses an event that carries both a definition and a reference, or neither', async () => {
    const stream = toolRegistryStream(`t${randomUUID().slice(0, 8)}`);
    const stored = { sha256: 'a'.repeat(64), bytes: 10 };
    await expect(store.append(stream, [registered('both', 1, { definition: definitionOf(1), stored })])).rejects.toMatchObject({ code: 'InvalidEvent' });
    await expect(store.append(stream, [registered('neither', 1, {})])).rejects.toMatchObject({ code: 'InvalidEvent' });
  });

  it('says which attachment is missing when an event names one the store does not hold', async () => {
    const other = `t${randomUUID().slice(0, 8)}`;
    await store.append(toolRegistryStream(other), [{ ...registered('ghost', 1, { stored: { sha256: 'b'.repeat(64), bytes: 10 } }), tenantId: other }]);
    const events = await store.readStream(toolRegistryStream(other));
    await expect(hydrateToolEvents(store, events)).rejects.toThrow(`the tool definition stored as attachment ${'b'.repeat(64)} of tenant ${other} is missing from the event store`);
  });
});
