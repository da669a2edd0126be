import { budgetIdSchema, budgetPeriods, budgetScopeSchema, budgetTermsSchema, budgetUnits, type BudgetTerms } from '@agent-orchestrator/contracts';
import { Controller, Get, Param, Put } from '@nestjs/common';
import { ApiOperation, ApiParam, type SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';
import { Caller, Can, type Principal } from '../auth/access.guard.js';
import { GatewayError } from '../errors.js';
import { Returns } from '../http/answers.js';
import { ApiProblems, AuthenticatedApi } from '../http/openapi.js';
import { ValidBody } from '../http/valid-body.js';
import { Budgets, type BudgetView } from './budgets.js';

const budgetView = z.object({
  budgetId: z.string(),
  scope: budgetScopeSchema,
  period: z.enum(budgetPeriods),
  unit: z.enum(budgetUnits),
  limit: z.number().describe('Whole tokens, or USD.'),
  periodStart: z.iso.datetime().describe('The start of the period counted now: the UTC day or month, or the session start.'),
  used: z.number().describe('What model calls used in the period (settled).'),
  reserved: z.number().describe('What calls under way hold: their worst case, until they settle.'),
  updatedAt: z.iso.datetime().describe('When these terms were set.'),
});

const BudgetIdParam = () => ApiParam({ name: 'budgetId', schema: z.toJSONSchema(budgetIdSchema, { target: 'openapi-3.0' }) as SchemaObject, description: 'Your name for the budget: lower-case letters, digits, "_" and "-", at most 63.' });

function budgetIdOf(budgetId: string): string {
  if (!budgetIdSchema.safeParse(budgetId).success) throw new GatewayError('InvalidRequest', `"${budgetId.slice(0, 100)}" is not a budget id: lower-case letters, digits, "_" and "-", at most 63, starting with a letter or digit.`, [{ pointer: '#/budgetId', detail: 'not a budget id', in: 'path' }]);
  return budgetId;
}

@AuthenticatedApi('budgets')
@Controller('v1/budgets')
export class BudgetsController {
  constructor(private readonly budgets: Budgets) {}

  @Get()
  @Can('read', 'Budget')
  @ApiOperation({ operationId: 'listBudgets', summary: "Your tenant's budgets (admin, operator, auditor), each with its use in the current period: settled, and reserved by calls under way." })
  @Returns(200, z.object({ items: z.array(budgetView) }))
  async list(@Caller() caller: Principal): Promise<{ items: BudgetView[] }> {
    return { items: await this.budgets.list(caller.tenantId) };
  }

  @Put(':budgetId')
  @Can('update', 'Budget')
  @ApiOperation({
    operationId: 'setBudget',
    summary:
      'Set a budget (admin): a limit in tokens or USD on every model call of the tenant, of one agent (per UTC day or month) or of one session. Before each call its worst case is reserved against every budget that applies; a call that would cross one is refused, and its run and session fail naming the budget.',
  })
  @BudgetIdParam()
  @Returns(200, budgetView, { description: 'The budget, once its terms are in effect' })
  @ApiProblems(400, 404, 413, 415, 422, 503)
  set(@Param('budgetId') budgetId: string, @ValidBody(budgetTermsSchema) body: BudgetTerms, @Caller() caller: Principal): Promise<BudgetView> {
    return this.budgets.set(caller, budgetIdOf(budgetId), body);
  }
}
