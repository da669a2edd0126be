import { maxOperationRate, operationFilterSchema, operationKinds } from '@agent-orchestrator/contracts';
import { z } from 'zod';

/**
 * The operations routes' bodies, queries and answers: one schema each, so what a route checks,
 * what it answers and what the OpenAPI document (and the generated client) say cannot drift.
 */

/** Kinds that act on every tenant's rows (a projection is one table for all): the platform admin's alone. */
export const platformOnlyKinds = new Set<string>(['rebuild-projection', 'retry-quarantined']);

export const planOperationBody = z
  .strictObject({
    kind: z.enum(operationKinds).describe('What to do with the matched items: redrive, discard, rebuild-projection, retry-quarantined or replay-sessions.'),
    filter: operationFilterSchema.describe('Which items: each source reads the fields that apply to it (ids, consumer, code, tool, tenant (platform admin only), since/until, status, projection).'),
    rate: z.number().positive().max(maxOperationRate).optional().describe(`Items per second once confirmed (at most ${maxOperationRate}); the service's default (100) when left out.`),
    reason: z.string().min(1).max(2000).optional().describe('Why; required for a discard.'),
  })
  .refine((body) => body.kind !== 'discard' || body.reason !== undefined, { path: ['reason'], message: 'a discard needs a reason: say why these items are dropped for good' })
  .refine((body) => body.kind !== 'discard' || Object.keys(body.filter).length > 0, { path: ['filter'], message: 'a discard needs a filter: an empty one would drop every item there is' });
export type PlanOperationBody = z.infer<typeof planOperationBody>;

export const abortOperationBody = z.strictObject({ reason: z.string().min(1).max(2000).optional().describe('Why it was stopped.') });

export const listOperationsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional().describe('The nextCursor of the previous page.'),
});

export const listItemsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(500).optional().describe('The nextCursor of the previous page.'),
});

const counts = z.record(z.string(), z.number().int());
const scope = z.union([z.object({ kind: z.literal('tenant'), tenantId: z.string() }), z.object({ kind: z.literal('platform') })]);

export const operationRecord = z.object({
  operationId: z.uuid(),
  kind: z.string(),
  filter: z.record(z.string(), z.unknown()),
  scope: scope.describe("Whose items: a tenant's, or every tenant's (the platform admin's)."),
  status: z.enum(['planned', 'running', 'paused', 'completed', 'aborted', 'failed']).describe('failed: the plan was refused (see refusal); nothing was acted on.'),
  reason: z.string().nullable(),
  refusal: z.string().nullable().describe('Why the plan was refused, and what to change.'),
  abortReason: z.string().nullable(),
  rate: z.number().describe('Items per second.'),
  total: z.number().int().describe('Items matched by the dry run.'),
  done: z.number().int().describe('Items with an outcome.'),
  succeeded: z.number().int(),
  failed: z.number().int(),
  skipped: z.number().int(),
  etaSeconds: z.number().int().nullable().describe('Seconds left at the rate measured since it last started or resumed; null once ended.'),
  counts: z.object({ byConsumer: counts, byCode: counts, byTool: counts, byTenant: counts }),
  repeatsSideEffect: z.number().int().describe('How many items run an unsafe tool operation again when acted on.'),
  requestedBy: z.object({ kind: z.string(), id: z.string() }),
  requestedAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  endedAt: z.iso.datetime().nullable(),
});

export const operationPage = z.object({ items: z.array(operationRecord), nextCursor: z.string().nullable() });
export const operationAccepted = z.object({ operationId: z.uuid().describe('Not planned yet: follow it with GET /v1/operations/{id}.') });

export const operationItem = z.object({
  position: z.number().int(),
  itemId: z.string(),
  source: z.string(),
  tenantId: z.string().nullable(),
  consumer: z.string().optional(),
  code: z.string().optional(),
  tool: z.string().optional(),
  sessionId: z.string().optional(),
  repeatsSideEffect: z.boolean(),
  label: z.string(),
  outcome: z.string().nullable().describe('succeeded, failed or skipped; null until the item was acted on.'),
  detail: z.unknown().describe('Why it failed or was skipped, or what it found.'),
  executedAt: z.iso.datetime().nullable(),
});
export const operationItemPage = z.object({ items: z.array(operationItem), nextCursor: z.string().nullable() });
