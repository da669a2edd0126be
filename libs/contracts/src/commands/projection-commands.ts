import { z } from 'zod';

/** A projection's name as its runner knows it (`sessions`, `model-calls`). */
export const projectionNameSchema = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/);

/**
 * Build the projection again from the log into shadow tables and swap them in; progress and
 * outcome go to its row of `projection_status` under `operationId`. Only `apply` runs: no
 * webhook, notification or fan-out is repeated.
 */
export const rebuildProjectionSchema = z.strictObject({ type: z.literal('RebuildProjection'), operationId: z.uuid(), projection: projectionNameSchema });
export type RebuildProjection = Readonly<z.infer<typeof rebuildProjectionSchema>>;

/** Apply the projection's quarantined events again (these, or all of them); those still refused stay quarantined. */
export const retryQuarantinedEventsSchema = z.strictObject({
  type: z.literal('RetryQuarantinedEvents'),
  operationId: z.uuid(),
  projection: projectionNameSchema,
  eventIds: z.array(z.uuid()).min(1).max(10_000).optional(),
});
export type RetryQuarantinedEvents = Readonly<z.infer<typeof retryQuarantinedEventsSchema>>;

/**
 * A command to the process hosting the projections, on `commands.projections`, keyed by the
 * projection's name (one projection's operations in order). Platform operations, not a tenant's:
 * they act on every tenant's rows, so only the replay service sends them, for the platform admin.
 */
export const projectionCommandMessageSchema = z.strictObject({
  commandId: z.uuid(),
  command: z.discriminatedUnion('type', [rebuildProjectionSchema, retryQuarantinedEventsSchema]),
});
export type ProjectionCommandMessage = z.infer<typeof projectionCommandMessageSchema>;
export type ProjectionCommand = ProjectionCommandMessage['command'];
