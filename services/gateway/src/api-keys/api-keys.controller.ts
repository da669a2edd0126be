import { Controller, Delete, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam } from '@nestjs/swagger';
import { z } from 'zod';
import { AdminLog, actorOf } from '../admin/admin-log.js';
import { Caller, Can, type Principal } from '../auth/access.guard.js';
import { roles } from '../auth/roles.js';
import { GatewayError } from '../errors.js';
import { Returns, ReturnsNothing } from '../http/answers.js';
import { ApiProblems, AuthenticatedApi } from '../http/openapi.js';
import { ValidBody } from '../http/valid-body.js';
import { ApiKeys, defaultRotationOverlapSeconds, maxRotationOverlapSeconds, type ApiKeySummary, type CreatedApiKey } from './api-keys.js';

/** Keys that outlive their purpose are how credentials leak: an expiry is at most this far ahead. */
const maxExpiryDays = 730;
const dayMs = 24 * 60 * 60 * 1000;

const expiresAt = z.iso
  .datetime({ offset: true })
  // Checked against the clock when the request is read; text that is no instant has its own error.
  .refine((instant) => !(Date.parse(instant) <= Date.now()), { error: 'must be in the future' })
  .refine((instant) => !(Date.parse(instant) > Date.now() + maxExpiryDays * dayMs), { error: `must be at most ${maxExpiryDays} days ahead` })
  .describe(`When the key stops working: an ISO 8601 instant, in the future and at most ${maxExpiryDays} days ahead. Absent: the key does not expire.`);

const createApiKeyBody = z.strictObject({
  name: z.string().trim().min(1).max(100).describe('What the key is for, e.g. "ci-pipeline".'),
  roles: z.array(z.enum(roles)).min(1).max(roles.length).describe('Roles granted in your tenant.'),
  expiresAt: expiresAt.optional(),
});
type CreateApiKeyBody = z.infer<typeof createApiKeyBody>;

const rotateApiKeyBody = z.strictObject({
  overlapSeconds: z
    .number()
    .int()
    .min(0)
    .max(maxRotationOverlapSeconds)
    .default(defaultRotationOverlapSeconds)
    .describe('How long the replaced secret keeps working, so clients can move to the new one (default 86400, one day; at most 30 days; 0: it stops now).'),
});
type RotateApiKeyBody = z.infer<typeof rotateApiKeyBody>;

const instantOrNull = z.iso.datetime().nullable();
const apiKeySummary = z.object({
  keyId: z.uuid(),
  name: z.string(),
  roles: z.array(z.enum(roles)).readonly(),
  createdAt: z.iso.datetime(),
  createdBy: z.string().describe('The key id of the admin who created it, "platform-admin:…" for a tenant\'s first key, or "bootstrap:…" for the key from the environment.'),
  revokedAt: instantOrNull,
  expiresAt: instantOrNull.describe('After this the key authenticates nothing; null: it does not expire.'),
  lastUsedAt: instantOrNull.describe('When the key last authenticated a request; written at most once a minute, so up to a minute behind.'),
  rotatedAt: instantOrNull.describe('When the secret was last replaced by a rotation.'),
  previousSecretValidUntil: instantOrNull.describe('Until when the secret the last rotation replaced is still accepted.'),
});
const createdApiKey = apiKeySummary.extend({ apiKey: z.string().describe('The secret. Shown once: only its hash is stored.') });
const apiKeyList = z.object({ items: z.array(apiKeySummary).readonly() });

const KeyIdParam = () => ApiParam({ name: 'keyId', schema: { type: 'string', format: 'uuid' }, description: 'The keyId the key was created with. Any other text is answered 404.' });

const notFound = () => new GatewayError('NotFound', 'Your tenant has no API key with this id.');

@AuthenticatedApi('api-keys')
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(
    private readonly apiKeys: ApiKeys,
    private readonly adminLog: AdminLog,
  ) {}

  @Post()
  @Can('create', 'ApiKey')
  @Header('cache-control', 'no-store')
  @ApiOperation({ operationId: 'createApiKey', summary: 'Create an API key in your tenant (admin), optionally expiring. The secret is in this response only.' })
  @Returns(201, createdApiKey, { description: 'Created' })
  @ApiProblems(400, 413, 415, 422)
  async create(@ValidBody(createApiKeyBody) body: CreateApiKeyBody, @Caller() caller: Principal): Promise<CreatedApiKey> {
    const { name, roles: granted, expiresAt: expiry } = body;
    return this.adminLog.transaction(async (client) => {
      const created = await this.apiKeys.create({ tenantId: caller.tenantId, name, roles: granted, createdBy: caller.subject, ...(expiry === undefined ? {} : { expiresAt: expiry }) }, client);
      await this.adminLog.record(client, caller.tenantId, actorOf(caller), [
        { type: 'ApiKeyCreated', data: { keyId: created.keyId, name: created.name, roles: [...created.roles], expiresAt: created.expiresAt } },
      ]);
      return created;
    });
  }

  @Get()
  @Can('read', 'ApiKey')
  @ApiOperation({ operationId: 'listApiKeys', summary: "List your tenant's API keys (admin), revoked and expired ones included, with when each was last used. Never shows secrets." })
  @Returns(200, apiKeyList)
  async list(@Caller() caller: Principal): Promise<{ items: readonly ApiKeySummary[] }> {
    return { items: await this.apiKeys.list(caller.tenantId) };
  }

  @Post(':keyId/rotate')
  @HttpCode(200)
  @Can('update', 'ApiKey')
  @Header('cache-control', 'no-store')
  @ApiOperation({
    operationId: 'rotateApiKey',
    summary:
      'Give an API key of your tenant a new secret (admin), shown in this response only. The replaced secret keeps working for `overlapSeconds`; rotating again during an overlap ends it at once (only the secret just replaced stays valid).',
  })
  @KeyIdParam()
  @ApiBody({ required: false })
  @Returns(200, createdApiKey, { description: 'Rotated' })
  @ApiProblems(400, 404, 409, 413, 415, 422)
  async rotate(@Param('keyId') keyId: string, @ValidBody(rotateApiKeyBody, { optional: true }) body: RotateApiKeyBody, @Caller() caller: Principal): Promise<CreatedApiKey> {
    const rotated = await this.adminLog.transaction(async (client) => {
      const rotation = await this.apiKeys.rotate(caller.tenantId, keyId, body.overlapSeconds, client);
      if (rotation) await this.adminLog.record(client, caller.tenantId, actorOf(caller), [{ type: 'ApiKeyRotated', data: { keyId, previousSecretValidUntil: rotation.previousSecretValidUntil! } }]);
      return rotation;
    });
    if (!rotated) throw notFound();
    return rotated;
  }

  @Delete(':keyId')
  @HttpCode(204)
  @Can('revoke', 'ApiKey')
  @ApiOperation({ operationId: 'revokeApiKey', summary: "Revoke an API key of your tenant (admin). Revoking twice is fine; the tenant's last active admin key cannot be revoked (409)." })
  @KeyIdParam()
  @ReturnsNothing(204, { description: 'Revoked' })
  @ApiProblems(404, 409)
  async revoke(@Param('keyId') keyId: string, @Caller() caller: Principal): Promise<void> {
    const outcome = await this.adminLog.transaction(async (client) => {
      const revoked = await this.apiKeys.revoke(caller.tenantId, keyId, client);
      if (revoked === 'revoked') await this.adminLog.record(client, caller.tenantId, actorOf(caller), [{ type: 'ApiKeyRevoked', data: { keyId } }]);
      return revoked;
    });
    // Another tenant's key is answered exactly like a key that does not exist.
    if (outcome === 'not-found') throw notFound();
  }
}
