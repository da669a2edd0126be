import { actorSchema, modelPriceSchema, priceSources, priceTableSchema } from '@agent-orchestrator/contracts';
import { Controller, Get, Put } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';
import { Can } from '../auth/access.guard.js';
import { PlatformCaller, type PlatformAdminPrincipal } from '../auth/platform-admin.js';
import { Returns } from '../http/answers.js';
import { ApiProblems, AuthenticatedApi } from '../http/openapi.js';
import { ValidBody } from '../http/valid-body.js';
import { Usage } from './usage.js';

const setPricesBody = z.strictObject({
  prices: priceTableSchema.describe('The whole table, model name to USD per million input and output tokens; `*` prices any model not listed. A dated snapshot (`gpt-4o-2024-08-06`) is priced as its family (`gpt-4o`).'),
  effectiveFrom: z.iso
    .datetime({ offset: true })
    .optional()
    .describe('From when it prices calls; default now. An earlier instant reprices the calls made since (usage is recomputed, live and on a rebuild).'),
});

const priceVersion = z.object({
  version: z.number().int().min(1),
  effectiveFrom: z.iso.datetime(),
  prices: z.record(z.string(), modelPriceSchema),
  source: z.enum(priceSources).describe('configuration: MODEL_PRICES at a start of the observability service; api: PUT /v1/prices.'),
  setAt: z.iso.datetime(),
  setBy: actorSchema,
});

@AuthenticatedApi('prices')
@Controller('v1/prices')
export class PricesController {
  constructor(private readonly usage: Usage) {}

  @Get()
  @Can('read', 'Price')
  @ApiOperation({ operationId: 'listPrices', summary: 'Every version of the model prices usage is priced at, newest first, and the version in effect now (admin, operator, auditor, platform admin).' })
  @Returns(200, z.object({ inEffect: z.number().int().nullable(), items: z.array(priceVersion) }))
  @ApiProblems(403)
  list() {
    return this.usage.prices();
  }

  @Put()
  @Can('update', 'Price')
  @ApiOperation({
    operationId: 'setPrices',
    summary:
      "A new version of the platform's model prices, in effect from `effectiveFrom` (platform admin only: they are what the platform pays its providers; a tenant pricing its own calls could rewrite its cost history and the budgets built on it).",
  })
  @Returns(200, priceVersion, { description: 'The new version, once it is in the log' })
  @ApiProblems(400, 403, 413, 415, 422, 503)
  update(@ValidBody(setPricesBody) body: z.infer<typeof setPricesBody>, @PlatformCaller() caller: PlatformAdminPrincipal) {
    return this.usage.setPrices(caller, body);
  }
}
