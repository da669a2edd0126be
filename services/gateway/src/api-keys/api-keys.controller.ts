import { Controller, Delete, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AdminLog, actorOf } from '../admin/admin-log.js';
import { Caller, Can, type Principal } from '../auth/access.guard.js';
import { roles } from '../auth/roles.js';
import { GatewayError } from '../errors.js';
import { ApiProblems, apiKeyHeaderScheme, bearerScheme } from '../http/openapi.js';
import { ValidBody } from '../http/valid-body.js';
import { ApiKeys, type ApiKeySummary, type CreatedApiKey } from './api-keys.js';

const createApiKeyBody = z.strictObject({
  name: z.string().trim().min(1).max(100).describe('What the key is for, e.g. "ci-pipeline".'),
  roles: z.array(z.enum(roles)).min(1).max(roles.length).describe('Roles granted in your tenant.'),
});
type CreateApiKeyBody = z.infer<typeof createApiKeyBody>;

const apiKeySummary = z.object({
  keyId: z.uuid(),
  name: z.string(),
  roles: z.array(z.enum(roles)),
  createdAt: z.iso.datetime(),
  createdBy: z.string().describe('The key id of the admin who created it, "platform-admin:…" for a tenant\'s first key, or "bootstrap:…" for the key from the environment.'),
  revokedAt: z.iso.datetime().nullable(),
});
const createdApiKey = apiKeySummary.extend({ apiKey: z.string().describe('The secret. Shown once: only its hash is stored.') });
const apiKeyList = z.object({ items: z.array(apiKeySummary) });

@ApiTags('api-keys')
@ApiBearerAuth(bearerScheme)
@ApiSecurity(apiKeyHeaderScheme)
@ApiProblems(401, 403)
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(
    private readonly apiKeys: ApiKeys,
    private readonly adminLog: AdminLog,
  ) {}

  @Post()
  @Can('create', 'ApiKey')
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Create an API key in your tenant (admin). The secret is in this response only.' })
  @ApiResponse({ status: 201, description: 'Created', standardSchema: createdApiKey })
  @ApiProblems(400, 413, 415, 422)
  async create(@ValidBody(createApiKeyBody) body: CreateApiKeyBody, @Caller() caller: Principal): Promise<CreatedApiKey> {
    return this.adminLog.transaction(async (client) => {
      const created = await this.apiKeys.create({ tenantId: caller.tenantId, name: body.name, roles: body.roles, createdBy: caller.subject }, client);
      await this.adminLog.record(client, caller.tenantId, actorOf(caller), [
        { type: 'ApiKeyCreated', data: { keyId: created.keyId, name: created.name, roles: [...created.roles], expiresAt: null } },
      ]);
      return created;
    });
  }

  @Get()
  @Can('read', 'ApiKey')
  @ApiOperation({ summary: "List your tenant's API keys (admin), revoked ones included. Never shows secrets." })
  @ApiResponse({ status: 200, description: 'OK', standardSchema: apiKeyList })
  async list(@Caller() caller: Principal): Promise<{ items: readonly ApiKeySummary[] }> {
    return { items: await this.apiKeys.list(caller.tenantId) };
  }

  @Delete(':keyId')
  @HttpCode(204)
  @Can('revoke', 'ApiKey')
  @ApiOperation({ summary: 'Revoke an API key of your tenant (admin). Revoking twice is fine.' })
  @ApiParam({ name: 'keyId', format: 'uuid' })
  @ApiResponse({ status: 204, description: 'Revoked' })
  @ApiProblems(404)
  async revoke(@Param('keyId') keyId: string, @Caller() caller: Principal): Promise<void> {
    const outcome = await this.adminLog.transaction(async (client) => {
      const revoked = await this.apiKeys.revoke(caller.tenantId, keyId, client);
      if (revoked === 'revoked') await this.adminLog.record(client, caller.tenantId, actorOf(caller), [{ type: 'ApiKeyRevoked', data: { keyId } }]);
      return revoked;
    });
    // Another tenant's key is answered exactly like a key that does not exist.
    if (outcome === 'not-found') throw new GatewayError('NotFound', 'Your tenant has no API key with this id.');
  }
}
