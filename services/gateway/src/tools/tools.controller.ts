import { toolDefinitionSchema, toolNameSchema, toolOperationSchema } from '@agent-orchestrator/contracts';
import { Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiParam } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { Caller, Can, type Principal } from '../auth/access.guard.js';
import { GatewayError } from '../errors.js';
import { Returns } from '../http/answers.js';
import { ApiProblems, AuthenticatedApi } from '../http/openapi.js';
import { ValidBody } from '../http/valid-body.js';
import { ValidQuery } from '../http/valid-query.js';
import { Tools } from './tools.js';

const { description, scopes, rateLimitPerMinute, credentials } = toolDefinitionSchema.shape;

const registerToolBody = z
  .strictObject({
    name: toolNameSchema.describe('Letters, digits, "_" and "-". Registering a name again makes its next version.'),
    document: z.union([z.record(z.string(), z.unknown()), z.string().min(1)]).optional().describe('The OpenAPI 3.0 or 3.1 document: an object, or JSON or YAML text.'),
    url: z.url({ protocol: /^https?$/ }).optional().describe('Where to fetch the document instead.'),
    description,
    scopes: scopes.optional().describe('What the tool may touch (e.g. billing:write), for policy rules.'),
    rateLimitPerMinute,
    credentials: credentials.describe(
      'For each security scheme of the document (components.securitySchemes: apiKey in header, query or cookie, HTTP bearer, HTTP basic, OAuth 2 client credentials or authorization code, OpenID Connect), the name of the secret to present (PUT /v1/secrets/:name). For OAuth 2 and OpenID Connect the secret holds the client as JSON, {"clientId", "clientSecret"}, plus "refreshToken" for the refresh-token grant. Only the name is stored.',
    ),
  })
  .refine((body) => (body.document === undefined) !== (body.url === undefined), { message: 'send either "document" or "url"', path: ['document'] });
type RegisterToolBody = z.infer<typeof registerToolBody>;

/** One version of a tool as `toolView` shows it: its definition without the document, each operation without its wiring. */
const toolView = toolDefinitionSchema.omit({ document: true }).extend({
  name: z.string(),
  version: z.number().int(),
  registeredAt: z.iso.datetime(),
  operations: z.array(toolOperationSchema.pick({ name: true, method: true, path: true, description: true, idempotent: true, inputSchema: true })),
});
const toolList = z.object({ items: z.array(toolView) });

const toolNameParam = ApiParam({ name: 'name', description: 'The tool\'s name: letters, digits, "_" and "-", at most 64.', schema: { type: 'string' } });

const getQuery = z.strictObject({ version: z.coerce.number().int().min(1).optional() });

@AuthenticatedApi('tools')
@Controller('v1/tools')
export class ToolsController {
  constructor(private readonly tools: Tools) {}

  @Post()
  @HttpCode(201)
  @Can('create', 'Tool')
  @ApiOperation({ operationId: 'registerTool', summary: 'Register a tool from an OpenAPI document (inline or by URL); every operation becomes callable. Registering a name again makes a new version; running sessions keep theirs.' })
  @Returns(201, toolView, { description: 'Registered', headers: { Location: { description: 'The tool: /v1/tools/{name}.', schema: { type: 'string' } } } })
  @ApiProblems(413, 415, 422, 503)
  async register(@ValidBody(registerToolBody) body: RegisterToolBody, @Caller() caller: Principal, @Res({ passthrough: true }) reply: FastifyReply) {
    const registered = await this.tools.register(caller, body);
    reply.header('location', `/v1/tools/${body.name}`);
    return registered;
  }

  @Get()
  @Can('read', 'Tool')
  @ApiOperation({ operationId: 'listTools', summary: "Your tenant's tools, each at its latest version, with their operations." })
  @Returns(200, toolList)
  list(@Caller() caller: Principal) {
    return this.tools.list(caller.tenantId);
  }

  @Get(':name')
  @Can('read', 'Tool')
  @ApiOperation({ operationId: 'getTool', summary: 'One tool at its latest version, or at `?version=`.' })
  @toolNameParam
  @Returns(200, toolView)
  @ApiProblems(400, 404)
  get(@Param('name') name: string, @ValidQuery(getQuery) query: z.infer<typeof getQuery>, @Caller() caller: Principal) {
    if (!toolNameSchema.safeParse(name).success) throw new GatewayError('InvalidRequest', `"${name}" is not a tool name: letters, digits, "_" and "-", at most 64.`);
    return this.tools.get(caller.tenantId, name, query.version);
  }
}
