import { z } from 'zod';
import { policyDocumentSchema } from '../catalog/policy-events.js';
import { commandMetadataSchema } from './command-metadata.js';

/** Makes `policy` the next version of the command tenant's policy. */
export const updatePolicySchema = z.strictObject({ type: z.literal('UpdatePolicy'), policy: policyDocumentSchema, metadata: commandMetadataSchema });
export type UpdatePolicy = Readonly<z.infer<typeof updatePolicySchema>>;

/** A policy command on `commands.policy`, keyed by the tenant's `policy-<tenant>` stream. */
export const policyCommandMessageSchema = z.strictObject({ commandId: z.uuid(), command: z.discriminatedUnion('type', [updatePolicySchema]) });
export type PolicyCommandMessage = z.infer<typeof policyCommandMessageSchema>;
