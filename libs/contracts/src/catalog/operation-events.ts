import { z } from 'zod';
import { defineEvent, type EventOf } from './catalog.js';
import { tenantIdSchema } from '../envelope.js';

/*
 * An SRE operation (a redrive, a discard, a projection rebuild, a session replay), on its own
 * `operation-<id>` stream, owned by the replay service: the plan (the exact dry run), then, once
 * confirmed, one event per item with its outcome, pauses, resumes, and its end.
 *
 * The dry run's items travel in `OperationItemsMatched` chunks appended in the same batch as
 * `OperationPlanned`: a stored event is at most 512 KiB (it is relayed to Kafka), so 20,000 items
 * cannot fit in one.
 */

const instant = z.iso.datetime({ offset: false });
const name = z.string().min(1).max(200);

export const operationIdSchema = z.uuid();
export const operationKinds = ['redrive', 'discard', 'rebuild-projection', 'retry-quarantined', 'replay-sessions'] as const;
export const operationKindSchema = z.enum(operationKinds);
export const operationItemSources = ['dead-letter', 'parked-call', 'projection', 'session'] as const;
export const operationItemOutcomes = ['succeeded', 'failed', 'skipped'] as const;

/** The most items one operation acts on: a larger match is refused, and the reason asks for a narrower filter. */
export const maxOperationItems = 20_000;
/** Items per `OperationItemsMatched` event: 250 items of the largest allowed fields stay well below the 512 KiB event limit. */
export const operationItemsPerChunk = 250;
/** Items per second: the default, and the most an operation may ask for. */
export const defaultOperationRate = 100;
export const maxOperationRate = 1000;
/** Distinct keys kept per count (by consumer, code, tool, tenant); the rest are added up under `otherCountKey`. */
export const maxCountKeys = 200;
export const otherCountKey = '(other)';

/** Who asked: a tenant's operator or admin acts on its own tenant's items only; the platform admin on every tenant's. */
export const operationScopeSchema = z.discriminatedUnion('kind', [z.strictObject({ kind: z.literal('tenant'), tenantId: tenantIdSchema }), z.strictObject({ kind: z.literal('platform') })]);
export type OperationScopeRecord = z.infer<typeof operationScopeSchema>;

/**
 * The envelope tenant of a platform-scope operation's events (every event needs one). The scope in
 * the data is what says whose the operation is; the read model keeps such operations with tenant NULL.
 */
export const platformOperationTenantId = 'platform';

/** The filter as the API and `ao` take it; each source reads the fields that apply to it. */
export const operationFilterSchema = z.strictObject({
  ids: z.array(name).min(1).max(1000).optional(),
  consumer: name.optional(),
  code: name.optional(),
  tool: name.optional(),
  tenant: tenantIdSchema.optional(),
  since: instant.optional(),
  until: instant.optional(),
  status: name.optional(),
  projection: name.optional(),
});
export type OperationFilterRecord = z.infer<typeof operationFilterSchema>;

/** One matched item, exactly as the dry run listed it. */
export const operationItemSchema = z.strictObject({
  itemId: name,
  source: z.enum(operationItemSources),
  tenantId: tenantIdSchema.nullable(),
  consumer: name.optional(),
  code: name.optional(),
  tool: name.optional(),
  sessionId: name.optional(),
  repeatsSideEffect: z.boolean(),
  label: z.string().min(1).max(300),
});
export type OperationItemRecord = z.infer<typeof operationItemSchema>;

const countsSchema = z.record(name, z.number().int().min(1)).refine((counts) => Object.keys(counts).length <= maxCountKeys + 1, `at most ${maxCountKeys} keys and "${otherCountKey}"`);
export const operationCountsSchema = z.strictObject({ byConsumer: countsSchema, byCode: countsSchema, byTool: countsSchema, byTenant: countsSchema });
export type OperationCounts = z.infer<typeof operationCountsSchema>;

const reason = z.string().min(1).max(2000);

/**
 * The dry run: what the filter matched when it was planned (`total` items, of which
 * `repeatsSideEffect` would run an unsafe tool operation again), counted four ways. The items
 * follow in `chunks` OperationItemsMatched events of the same append. Nothing has been acted on.
 */
export const OperationPlanned = defineEvent('OperationPlanned', [
  {
    schema: z.strictObject({
      operationId: operationIdSchema,
      kind: operationKindSchema,
      filter: operationFilterSchema,
      scope: operationScopeSchema,
      rate: z.number().positive().max(maxOperationRate),
      reason: reason.optional(),
      total: z.number().int().min(0).max(maxOperationItems),
      repeatsSideEffect: z.number().int().min(0).max(maxOperationItems),
      counts: operationCountsSchema,
      chunks: z.number().int().min(0),
    }),
  },
]);

/** Chunk `chunk` (from 0) of the planned items, in the order they will be acted on. */
export const OperationItemsMatched = defineEvent('OperationItemsMatched', [
  { schema: z.strictObject({ operationId: operationIdSchema, chunk: z.number().int().min(0), items: z.array(operationItemSchema).min(1).max(operationItemsPerChunk) }) },
]);

/** The plan was refused (nothing acted on, nothing to confirm): the reason says what to change, e.g. a narrower filter. */
export const OperationPlanRefused = defineEvent('OperationPlanRefused', [
  { schema: z.strictObject({ operationId: operationIdSchema, kind: operationKindSchema, filter: operationFilterSchema, scope: operationScopeSchema, reason }) },
]);

export const OperationStarted = defineEvent('OperationStarted', [{ schema: z.strictObject({ operationId: operationIdSchema, rate: z.number().positive().max(maxOperationRate) }) }]);

/** One item was acted on by its source, with what came of it. Recorded once per item. */
export const OperationItemExecuted = defineEvent('OperationItemExecuted', [
  {
    schema: z.strictObject({
      operationId: operationIdSchema,
      itemId: name,
      outcome: z.enum(operationItemOutcomes),
      /** Why it failed or was skipped, or what it found: one line, or a small record. */
      detail: z.union([z.string().max(2000), z.record(z.string().max(200), z.unknown()).refine((d) => JSON.stringify(d).length <= 8000, 'at most 8,000 characters of JSON')]).optional(),
    }),
  },
]);

export const OperationPaused = defineEvent('OperationPaused', [{ schema: z.strictObject({ operationId: operationIdSchema }) }]);
export const OperationResumed = defineEvent('OperationResumed', [{ schema: z.strictObject({ operationId: operationIdSchema }) }]);
/** Stopped for good: the items without an outcome are never acted on. */
export const OperationAborted = defineEvent('OperationAborted', [{ schema: z.strictObject({ operationId: operationIdSchema, reason: reason.optional() }) }]);
/** Every item has its outcome. */
export const OperationCompleted = defineEvent('OperationCompleted', [
  { schema: z.strictObject({ operationId: operationIdSchema, succeeded: z.number().int().min(0), failed: z.number().int().min(0), skipped: z.number().int().min(0) }) },
]);

export const operationEvents = [OperationPlanned, OperationItemsMatched, OperationPlanRefused, OperationStarted, OperationItemExecuted, OperationPaused, OperationResumed, OperationAborted, OperationCompleted] as const;
export type OperationEvent = EventOf<(typeof operationEvents)[number]>;
