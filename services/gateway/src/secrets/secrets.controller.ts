import { secretNameSchema } from '@agent-orchestrator/contracts';
import type { SecretStore, SecretSummary } from '@agent-orchestrator/secrets';
import { Controller, Delete, Get, HttpCode, Inject, Param, Put } from '@nestjs/common';
import { ApiOperation, ApiParam, type SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';
import { AdminLog, type AdminAction } from '../admin/admin-log.js';
import { Caller, Can, type Principal } from '../auth/access.guard.js';
import { GatewayError } from '../errors.js';
import { Returns, ReturnsNothing } from '../http/answers.js';
import { ApiProblems, AuthenticatedApi } from '../http/openapi.js';
import { ValidBody } from '../http/valid-body.js';
import { recordedSecretWrite } from './recorded-secret-write.js';
import { isReservedSecretName, reservedSecretReason } from './reserved-names.js';

/** The secret store, or null when none is configured (the routes then say how to configure one). */
export const SECRET_STORE = Symbol('SecretStore');

const putBody = z.strictObject({ value: z.string().min(1).max(64 * 1024).describe('The secret. Never shown again: reads list names and versions only.') });
type PutBody = z.infer<typeof putBody>;

const secretSummary = z.object({
  name: z.string(),
  version: z.number().int().min(1).describe('1 for the first value set under the name, one more for each set since.'),
  updatedAt: z.iso.datetime().describe('When this version was set.'),
});

/** Documented from the schema the route checks the name with (a bad one is a 400 naming the rule). */
const SecretNameParam = () => ApiParam({ name: 'name', schema: z.toJSONSchema(secretNameSchema, { target: 'openapi-3.0' }) as SchemaObject, description: 'The secret\'s name: letters, digits, "_", "." and "-", at most 100; not starting with "audit." (reserved for the platform\'s audit signing keys: 422).' });

function secretName(name: string): string {
  if (!secretNameSchema.safeParse(name).success) throw new GatewayError('InvalidRequest', `"${name.slice(0, 100)}" is not a secret name: letters, digits, "_", "." and "-", at most 100.`);
  if (isReservedSecretName(name)) throw new GatewayError('InvalidParameter', `"${name}" cannot be used: ${reservedSecretReason}`, [{ pointer: '#/name', detail: reservedSecretReason, in: 'path' }]);
  return name;
}

@AuthenticatedApi('secrets')
@ApiProblems(503)
@Controller('v1/secrets')
export class SecretsController {
  constructor(
    @Inject(SECRET_STORE) private readonly secrets: SecretStore | null,
    private readonly adminLog: AdminLog,
  ) {}

  @Put(':name')
  @Can('update', 'Secret')
  @ApiOperation({ operationId: 'putSecret', summary: 'Set a secret of your tenant (admin), e.g. a tool credential named in a tool\'s "credentials"; each set is a new version. The value is never returned.' })
  @SecretNameParam()
  @Returns(200, secretSummary, { description: 'The version just set' })
  @ApiProblems(400, 413, 415, 422)
  async put(@Param('name') name: string, @ValidBody(putBody) body: PutBody, @Caller() caller: Principal): Promise<SecretSummary> {
    const store = this.store();
    return recordedSecretWrite(this.adminLog, caller, store, (transaction) => store.put(caller.tenantId, secretName(name), body.value, transaction), (set) => [{ type: 'SecretSet', data: { name: set.name, version: set.version } }]);
  }

  @Get()
  @Can('read', 'Secret')
  @ApiOperation({ operationId: 'listSecrets', summary: "Your tenant's secrets (admin): names, versions and when each was set; never values." })
  @Returns(200, z.object({ items: z.array(secretSummary) }))
  async list(@Caller() caller: Principal): Promise<{ items: SecretSummary[] }> {
    // The platform's own (audit signing keys) share the tenant's store but are not the tenant's to see.
    return { items: (await this.store().list(caller.tenantId)).filter((secret) => !isReservedSecretName(secret.name)) };
  }

  @Delete(':name')
  @HttpCode(204)
  @Can('revoke', 'Secret')
  @ApiOperation({ operationId: 'deleteSecret', summary: 'Delete a secret (admin); tools that name it cannot be called until it is set again.' })
  @SecretNameParam()
  @ReturnsNothing(204, { description: 'Deleted' })
  @ApiProblems(400, 404, 422)
  async remove(@Param('name') name: string, @Caller() caller: Principal): Promise<void> {
    const store = this.store();
    const deleted = await recordedSecretWrite(this.adminLog, caller, store, (transaction) => store.delete(caller.tenantId, secretName(name), transaction), (existed): AdminAction[] => (existed ? [{ type: 'SecretDeleted', data: { name } }] : []));
    if (!deleted) throw new GatewayError('NotFound', `Your tenant has no secret named ${name}.`);
  }

  private store(): SecretStore {
    if (!this.secrets) throw new GatewayError('Unavailable', 'No secret store is configured: set SECRETS_KEY (32 random bytes, base64 or hex) for the encrypted PostgreSQL store, or SECRETS_BACKEND=vault with VAULT_ADDR and VAULT_TOKEN.');
    return this.secrets;
  }
}
