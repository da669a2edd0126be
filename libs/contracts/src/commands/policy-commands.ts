import { z } from 'zod';
import { policyDocumentSchema } from '../catalog/policy-events.js';
import { privacySettingsSchema } from '../catalog/privacy-events.js';
import { commandMetadataSchema } from './command-metadata.js';

/** Makes `policy` the next version of the command tenant's policy. */
export const updatePolicySchema = z.strictObject({ type: z.literal('UpdatePolicy'), policy: policyDocumentSchema, metadata: commandMetadataSchema });
export type UpdatePolicy = Readonly<z.infer<typeof updatePolicySchema>>;

/** Makes `settings` the next version of the command tenant's privacy setting. */
export const updatePrivacySchema = z.strictObject({ type: z.literal('UpdatePrivacy'), settings: privacySettingsSchema, metadata: commandMetadataSchema });
export type UpdatePrivacy = Readonly<z.infer<typeof updatePrivacySchema>>;

/**
 * A command of the policy service on `commands.policy`, keyed by its target stream: the tenant's
 * `policy-<tenant>` (UpdatePolicy) or `privacy-<tenant>` (UpdatePrivacy).
 */
export const policyCommandMessageSchema = z.strictObject({ commandId: z.uuid(), command: z.discriminatedUnion('type', [updatePolicySchema, updatePrivacySchema]) });
export type PolicyCommandMessage = z.infer<typeof policyCommandMessageSchema>;
