import { Controller, Get, Put } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';
import { Caller, Can, type Principal } from '../auth/access.guard.js';
import { roles } from '../auth/roles.js';
import { isTenantRole } from '../auth/token-claims.js';
import { Returns } from '../http/answers.js';
import { ApiProblems, AuthenticatedApi } from '../http/openapi.js';
import { ValidBody } from '../http/valid-body.js';
import { RoleMappings, type RoleMappingVersion } from './role-mappings.js';

const maxNames = 500;
const tenantRole = z.enum(roles).refine(isTenantRole, { error: 'a platform role of a tenant (platform-admin is never granted by a token)' });

const roleMappingBody = z.strictObject({
  mapping: z
    .record(z.string().min(1).max(200), z.array(tenantRole).min(1).max(roles.length))
    .refine((mapping) => Object.keys(mapping).length <= maxNames, { error: `at most ${maxNames} role or group names` })
    .describe('Each identity-provider role or group name, with the platform roles it grants. The whole mapping, each time.'),
});
type RoleMappingBody = z.infer<typeof roleMappingBody>;

const roleMappingVersion = z.object({
  version: z.number().int().describe('0 before any PUT: only role names that are platform roles count.'),
  mapping: z.record(z.string(), z.array(z.enum(roles)).readonly()),
  setAt: z.iso.datetime().nullable(),
  setBy: z.string().nullable().describe('The API key id, or token:<issuer>#<sub>, of the admin who set it.'),
});

@AuthenticatedApi('role-mapping')
@Controller('v1/role-mapping')
export class RoleMappingController {
  constructor(private readonly mappings: RoleMappings) {}

  @Get()
  @Can('read', 'RoleMapping')
  @ApiOperation({ operationId: 'getRoleMapping', summary: "Your tenant's mapping from the identity provider's role and group names to platform roles, at its latest version (admin)." })
  @Returns(200, roleMappingVersion)
  current(@Caller() caller: Principal): Promise<RoleMappingVersion> {
    return this.mappings.current(caller.tenantId);
  }

  @Put()
  @Can('update', 'RoleMapping')
  @ApiOperation({ operationId: 'setRoleMapping', summary: 'Replace the role mapping with a new version (admin). Token roles that are platform role names need no mapping.' })
  @Returns(200, roleMappingVersion, { description: 'The new version' })
  @ApiProblems(400, 413, 415, 422)
  update(@ValidBody(roleMappingBody) body: RoleMappingBody, @Caller() caller: Principal): Promise<RoleMappingVersion> {
    return this.mappings.set(caller, body.mapping);
  }
}
