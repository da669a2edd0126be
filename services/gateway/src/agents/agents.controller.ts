import { agentDefinitionSchema, agentNameSchema } from '@agent-orchestrator/contracts';
import { Controller, Get, HttpCode, Param, Patch, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiParam } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { Caller, Can, type Principal } from '../auth/access.guard.js';
import { GatewayError } from '../errors.js';
import { Returns } from '../http/answers.js';
import { ApiProblems, AuthenticatedApi } from '../http/openapi.js';
import { ValidBody } from '../http/valid-body.js';
import { ValidQuery } from '../http/valid-query.js';
import { Agents, type AgentPatch } from './agents.js';

const { description, instructions, model, tools, handoffs, guardrails } = agentDefinitionSchema.shape;

const createAgentBody = z.strictObject({
  name: agentNameSchema.describe('Letters, digits, "_" and "-", starting with a letter. A built-in name (Planner, Executor, Researcher, Reviewer) replaces that agent for your tenant.'),
  description: description.describe('What the agent is for; other agents see it when they can hand off to it.'),
  instructions: instructions.describe("The agent's system instructions."),
  model: model.describe("The provider's model name; without one, the runtime's configured model."),
  tools: tools.default([]).describe('Tools the agent may call.'),
  handoffs: handoffs.default([]).describe('Agents a step run may be handed over to.'),
  guardrails: guardrails.default([]).describe('blocked_terms (on input or output) and max_output_chars checks; a tripped one fails the run.'),
});
type CreateAgentBody = z.infer<typeof createAgentBody>;

const patchAgentBody = z.strictObject({
  description: description.unwrap().nullable().optional(),
  instructions: instructions.optional(),
  model: model.unwrap().nullable().optional(),
  tools: tools.optional(),
  handoffs: handoffs.optional(),
  guardrails: guardrails.optional(),
});
type PatchAgentBody = z.infer<typeof patchAgentBody>;

const getQuery = z.strictObject({ version: z.coerce.number().int().min(1).optional() });

/** One version of an agent. */
const agentView = agentDefinitionSchema.extend({ name: z.string(), version: z.number().int(), definedAt: z.iso.datetime() });
const agentList = z.object({ items: z.array(agentView) });

const agentNameParam = ApiParam({ name: 'name', description: 'The agent\'s name: letters, digits, "_" and "-", starting with a letter.', schema: { type: 'string' } });
const location = { Location: { description: 'The agent: /v1/agents/{name}.', schema: { type: 'string' } } };

function agentName(name: string): string {
  if (agentNameSchema.safeParse(name).success) return name;
  throw new GatewayError('InvalidRequest', `"${name}" is not an agent name: letters, digits, "_" and "-", starting with a letter, at most 64.`);
}

@AuthenticatedApi('agents')
@Controller('v1/agents')
export class AgentsController {
  constructor(private readonly agents: Agents) {}

  @Post()
  @HttpCode(201)
  @Can('create', 'Agent')
  @ApiOperation({ operationId: 'registerAgent', summary: 'Define an agent (version 1). Sessions started from now on pin it.' })
  @Returns(201, agentView, { description: 'Created', headers: location })
  @ApiProblems(409, 413, 415, 422, 503)
  async create(@ValidBody(createAgentBody) body: CreateAgentBody, @Caller() caller: Principal, @Res({ passthrough: true }) reply: FastifyReply) {
    const { name, ...definition } = body;
    const created = await this.agents.create(caller, name, definition);
    reply.header('location', `/v1/agents/${name}`);
    return created;
  }

  @Get()
  @Can('read', 'Agent')
  @ApiOperation({ operationId: 'listAgents', summary: "Your tenant's agents, each at its latest version. Built-in agents not redefined are not listed." })
  @Returns(200, agentList)
  list(@Caller() caller: Principal) {
    return this.agents.list(caller.tenantId);
  }

  @Get(':name')
  @Can('read', 'Agent')
  @ApiOperation({ operationId: 'getAgent', summary: 'One agent at its latest version, or at `?version=`.' })
  @agentNameParam
  @Returns(200, agentView)
  @ApiProblems(400, 404)
  get(@Param('name') name: string, @ValidQuery(getQuery) query: z.infer<typeof getQuery>, @Caller() caller: Principal) {
    return this.agents.get(caller.tenantId, agentName(name), query.version);
  }

  @Patch(':name')
  @Can('update', 'Agent')
  @ApiOperation({ operationId: 'updateAgent', summary: 'Change an agent: the fields sent replace the current ones (null removes description or model) as a new version. Running sessions keep the version they pinned.' })
  @agentNameParam
  @Returns(200, agentView, { description: 'The new version' })
  @ApiProblems(400, 404, 409, 413, 415, 422, 503)
  update(@Param('name') name: string, @ValidBody(patchAgentBody) body: PatchAgentBody, @Caller() caller: Principal) {
    if (Object.values(body).every((value) => value === undefined)) {
      throw new GatewayError('InvalidBody', 'The patch changes nothing: send at least one of description, instructions, model, tools, handoffs, guardrails.');
    }
    return this.agents.update(caller, agentName(name), body as AgentPatch);
  }
}
