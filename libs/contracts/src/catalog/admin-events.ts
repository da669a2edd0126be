import { z } from 'zod';
import { defineEvent, type EventOf } from './catalog.js';
import { roles } from '../roles.js';
import { secretNameSchema } from './tool-events.js';

/*
 * A tenant's administrative actions, on its `admin-<tenant>` stream: the admin part of the audit
 * trail. The envelope's actor says who acted: `{ kind: 'user', id }` with id `key:<keyId>`,
 * `token:<issuer>#<sub>` or `platform-admin:<keyId>`. These events name keys and secrets, never
 * a secret value or a key hash: the stream is exported to auditors and published to Kafka.
 */

const instant = z.iso.datetime({ offset: false });
const keyId = z.uuid();
const tenantRoles = z.array(z.enum(roles)).min(1);

/** A platform admin created the tenant (its first admin key follows as ApiKeyCreated). */
export const TenantCreated = defineEvent('TenantCreated', [{ schema: z.strictObject({ name: z.string().min(1).max(200) }) }]);

/** A platform admin suspended the tenant: its requests are refused and its sessions pause. */
export const TenantSuspended = defineEvent('TenantSuspended', [{ schema: z.strictObject({ reason: z.string().min(1).max(500).optional() }) }]);

export const TenantResumed = defineEvent('TenantResumed', [{ schema: z.strictObject({}) }]);

/** Soft deletion: the tenant's keys stop working; its data and id are kept until retainUntil. */
export const TenantDeleted = defineEvent('TenantDeleted', [{ schema: z.strictObject({ retainUntil: instant }) }]);

export const ApiKeyCreated = defineEvent('ApiKeyCreated', [
  { schema: z.strictObject({ keyId, name: z.string().min(1).max(200), roles: tenantRoles, expiresAt: instant.nullable() }) },
]);

/** A key got a new secret; the previous one keeps working until previousSecretValidUntil. */
export const ApiKeyRotated = defineEvent('ApiKeyRotated', [{ schema: z.strictObject({ keyId, previousSecretValidUntil: instant }) }]);

export const ApiKeyRevoked = defineEvent('ApiKeyRevoked', [{ schema: z.strictObject({ keyId }) }]);

/** A secret's new version was stored; its value is never in the log. */
export const SecretSet = defineEvent('SecretSet', [{ schema: z.strictObject({ name: secretNameSchema, version: z.number().int().min(1) }) }]);

export const SecretDeleted = defineEvent('SecretDeleted', [{ schema: z.strictObject({ name: secretNameSchema }) }]);

/** Which platform roles each role name of the tenant's identity provider grants, as a whole new version. */
export const RoleMappingSet = defineEvent('RoleMappingSet', [
  {
    schema: z.strictObject({
      version: z.number().int().min(1),
      mapping: z.record(z.string().min(1).max(200), tenantRoles),
    }),
  },
]);

export const adminEvents = [
  TenantCreated,
  TenantSuspended,
  TenantResumed,
  TenantDeleted,
  ApiKeyCreated,
  ApiKeyRotated,
  ApiKeyRevoked,
  SecretSet,
  SecretDeleted,
  RoleMappingSet,
] as const;
export type AdminEvent = EventOf<(typeof adminEvents)[number]>;
