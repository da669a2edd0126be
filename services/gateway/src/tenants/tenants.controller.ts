import { platformOperationTenantId, tenantIdSchema } from '@agent-orchestrator/contracts';
import { Controller, Delete, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, type SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';
import { Can } from '../auth/access.guard.js';
import { PlatformCaller, type PlatformAdminPrincipal } from '../auth/platform-admin.js';
import { Returns } from '../http/answers.js';
import { ApiProblems, AuthenticatedApi } from '../http/openapi.js';
import { ValidBody } from '../http/valid-body.js';
import { tenantStatuses, type Tenant } from './tenant-store.js';
import { Tenants, type CreatedTenant } from './tenants.js';

const createTenantBody = z.strictObject({
  tenantId: tenantIdSchema
    // The platform's own operations carry it as their events' tenant: no tenant may be named so.
    .refine((id) => id !== platformOperationTenantId, `"${platformOperationTenantId}" is reserved for the platform's own operations; choose another id`)
    .describe('The id every event, stream and key of the tenant carries: lower-case letters, digits, "_" and "-", at most 63; not "platform".'),
  name: z.string().trim().min(1).max(200).describe('A name for people, e.g. "Acme Corporation".'),
});
type CreateTenantBody = z.infer<typeof createTenantBody>;

const suspendBody = z.strictObject({ reason: z.string().trim().min(1).max(500).optional().describe('Why; kept on the tenant and in its admin stream.') });
type SuspendBody = z.infer<typeof suspendBody>;

/** Documented as the ids tenants are created with; other text is no tenant's id, so it is answered 404. */
const TenantIdParam = () => ApiParam({ name: 'tenantId', schema: z.toJSONSchema(tenantIdSchema, { target: 'openapi-3.0' }) as SchemaObject, description: 'The tenant id given at creation.' });

const instant = z.iso.datetime().nullable();
const tenant = z.object({
  tenantId: z.string(),
  name: z.string(),
  status: z.enum(tenantStatuses),
  createdAt: z.iso.datetime(),
  suspendedAt: instant,
  suspendedReason: z.string().nullable(),
  deletedAt: instant,
  retainUntil: instant.describe("Until when a deleted tenant's data and id are kept."),
});
const createdTenant = tenant.extend({ adminKeyId: z.uuid(), adminApiKey: z.string().describe("The tenant's first admin key. Shown once: only its hash is stored.") });

@AuthenticatedApi('tenants')
@Controller('v1/tenants')
export class TenantsController {
  constructor(private readonly tenants: Tenants) {}

  @Post()
  @Can('create', 'Tenant')
  @Header('cache-control', 'no-store')
  @ApiOperation({ operationId: 'createTenant', summary: 'Create a tenant with its first admin API key (platform admin). The key is in this response only.' })
  @Returns(201, createdTenant, { description: 'Created' })
  @ApiProblems(400, 409, 413, 415, 422)
  create(@ValidBody(createTenantBody) body: CreateTenantBody, @PlatformCaller() caller: PlatformAdminPrincipal): Promise<CreatedTenant> {
    return this.tenants.create(caller, body.tenantId, body.name);
  }

  @Get()
  @Can('read', 'Tenant')
  @ApiOperation({ operationId: 'listTenants', summary: 'Every tenant, deleted ones within their retention included (platform admin).' })
  @Returns(200, z.object({ items: z.array(tenant) }))
  async list(): Promise<{ items: Tenant[] }> {
    return { items: await this.tenants.list() };
  }

  @Get(':tenantId')
  @Can('read', 'Tenant')
  @ApiOperation({ operationId: 'getTenant', summary: 'One tenant and its status (platform admin).' })
  @TenantIdParam()
  @Returns(200, tenant)
  @ApiProblems(404)
  get(@Param('tenantId') tenantId: string): Promise<Tenant> {
    return this.tenants.get(tenantId);
  }

  @Post(':tenantId/suspend')
  @HttpCode(200)
  @Can('update', 'Tenant')
  @ApiOperation({ operationId: 'suspendTenant', summary: 'Suspend a tenant (platform admin): its requests are refused with 403 and its sessions pause. Optional body { reason }. Suspending twice is fine.' })
  @TenantIdParam()
  @ApiBody({ required: false })
  @Returns(200, tenant, { description: 'Suspended' })
  @ApiProblems(400, 404, 409, 413, 415, 422)
  suspend(@Param('tenantId') tenantId: string, @ValidBody(suspendBody, { optional: true }) body: SuspendBody, @PlatformCaller() caller: PlatformAdminPrincipal): Promise<Tenant> {
    return this.tenants.suspend(caller, tenantId, body.reason);
  }

  @Post(':tenantId/resume')
  @HttpCode(200)
  @Can('update', 'Tenant')
  @ApiOperation({ operationId: 'resumeTenant', summary: 'Resume a suspended tenant (platform admin). Resuming an active tenant is fine.' })
  @TenantIdParam()
  @Returns(200, tenant, { description: 'Active' })
  @ApiProblems(404, 409)
  resume(@Param('tenantId') tenantId: string, @PlatformCaller() caller: PlatformAdminPrincipal): Promise<Tenant> {
    return this.tenants.resume(caller, tenantId);
  }

  @Delete(':tenantId')
  @Can('delete', 'Tenant')
  @ApiOperation({
    operationId: 'deleteTenant',
    summary: 'Delete a tenant (platform admin), softly: its keys are revoked at once, its data and id are kept until retainUntil (TENANT_RETENTION_DAYS). Deleting twice is fine.',
  })
  @TenantIdParam()
  @Returns(200, tenant, { description: 'Deleted' })
  @ApiProblems(404)
  delete(@Param('tenantId') tenantId: string, @PlatformCaller() caller: PlatformAdminPrincipal): Promise<Tenant> {
    return this.tenants.delete(caller, tenantId);
  }
}
