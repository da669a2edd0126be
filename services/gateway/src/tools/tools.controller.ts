import { operationSelectionSchema, secretNameSchema, toolDefinitionSchema, toolNameSchema, toolOperationSchema } from '@agent-orchestrator/contracts';
import { Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiParam } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { Caller, Can, type Principal } from '../auth/access.guard.js';
import { GatewayError } from '../errors.js';
import { Returns } from '../http/answers.js';
import { ApiProblems, AuthenticatedApi } from '../http/openapi.js';
import { ValidBody } from '../http/valid-body.js';
import { isReservedSecretName, reservedSecretReason } from '../secrets/reserved-names.js';
import { ValidQuery } from '../http/valid-query.js';
import { Tools } from './tools.js';

const { description, scopes, rateLimitPerMinute, credentials, onExhausted } = toolDefinitionSchema.shape;

const registerToolBody = z
  .strictObject({
    name: toolNameSchema.describe('Letters, digits, "_" and "-". Registering a name again makes its next version.'),
    document: z.union([z.record(z.string(), z.unknown()), z.string().min(1)]).optional().describe('The OpenAPI 3.0 or 3.1 document, or a Swagger 2.0 one (converted to OpenAPI 3.0): an object, or JSON or YAML text.'),
    url: z.url({ protocol: /^https?$/ }).optional().describe('Where to fetch the document instead.'),
    description,
    scopes: scopes.optional().describe('What the tool may touch (e.g. billing:write), for policy rules.'),
    rateLimitPerMinute,
    onExhausted: onExhausted.describe(
      'When a call\'s retries are exhausted: "fail" (the default) answers it as failed and the agent is told; "park" keeps it waiting (the session shows blocked) until an operator redrives it (it runs once more and the run resumes) or discards it (the agent is told).',
    ),
    include: operationSelectionSchema.optional().describe('Offer only the operations with one of these tags or operationIds, or under one of these path prefixes.'),
    exclude: operationSelectionSchema.optional().describe('Do not offer the operations with one of these tags or operationIds, or under one of these path prefixes (they are not listed as skipped).'),
    credentials: credentials.describe(
      'For each security scheme of the document (components.securitySchemes: apiKey in header, query or cookie, HTTP bearer, HTTP basic, OAuth 2 client credentials or authorization code, OpenID Connect), the name of the secret to present (PUT /v1/secrets/:name). For OAuth 2 and OpenID Connect the secret holds the client as JSON, {"clientId", "clientSecret"}, plus "refreshToken" for the refresh-token grant. Only the name is stored.',
    ),
    mcp: z
      .strictObject({
        url: z.url({ protocol: /^https?$/ }).describe("The MCP server's streamable HTTP endpoint (e.g. https://host/mcp)."),
        credentials: secretNameSchema.optional().describe('The name of a secret (PUT /v1/secrets/:name) sent to the server as a bearer token (Authorization: Bearer), when listing its tools and on every call. Only the name is stored.'),
      })
      .optional()
      .describe("An MCP server instead of an OpenAPI document: its tools are listed and pinned as this version, one operation each (re-registering pins the server's tool list of the moment as the next version)."),
  })
  .refine((body) => [body.document, body.url, body.mcp].filter((given) => given !== undefined).length === 1, { message: 'send exactly one of "document", "url" or "mcp"', path: ['document'] })
  .refine((body) => body.mcp === undefined || body.credentials === undefined, { message: 'for an MCP server, name its secret in "mcp.credentials"', path: ['credentials'] })
  // A tool is sent the value of the secret it names: the platform's audit keys must never be one.
  .refine((body) => !Object.values(body.credentials ?? {}).some(isReservedSecretName), { message: reservedSecretReason, path: ['credentials'] })
  .refine((body) => body.mcp?.credentials === undefined || !isReservedSecretName(body.mcp.credentials), { message: reservedSecretReason, path: ['mcp', 'credentials'] });
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
  @ApiOperation({
    operationId: 'registerTool',
    summary:
      'Register a tool from an OpenAPI or Swagger 2.0 document (inline or by URL), or from an MCP server (streamable HTTP; its tools listed and pinned, a secret named by mcp.credentials sent as a bearer token). Every selected operation the platform can call becomes callable; the others are listed under `skipped` with why. Registering a name again makes a new version; running sessions keep theirs.',
  })
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
