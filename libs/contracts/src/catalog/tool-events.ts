import { z } from 'zod';
import { toolNameSchema } from './agent-events.js';
import { defineEvent, type EventOf } from './catalog.js';
import { exhaustedCallPolicies } from './parked-call-events.js';

/** One callable operation of a registered tool, as compiled from its OpenAPI document. */
export const toolOperationSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  method: z.enum(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']),
  path: z.string().min(1).max(2000),
  description: z.string().max(1000),
  /** Absent `style`/`explode` mean OpenAPI's defaults: `simple` in path and header, `form` in query and cookie; explode only for `form`. */
  parameters: z
    .array(
      z.strictObject({
        name: z.string().min(1).max(200),
        in: z.enum(['path', 'query', 'header', 'cookie']),
        required: z.boolean(),
        style: z.enum(['matrix', 'label', 'form', 'simple', 'spaceDelimited', 'pipeDelimited', 'deepObject']).optional(),
        explode: z.boolean().optional(),
        allowReserved: z.boolean().optional(),
      }),
    )
    .max(100),
  /**
   * The request body, sent as the `body` argument. An absent `mediaType` means `application/json`
   * (events from before other kinds were compiled). `encoding` is the document's, by property, for
   * form and multipart bodies.
   */
  body: z
    .strictObject({
      required: z.boolean(),
      mediaType: z.string().min(1).max(200).optional(),
      encoding: z.record(z.string(), z.strictObject({ contentType: z.string().max(500).optional(), style: z.string().max(50).optional(), explode: z.boolean().optional() })).optional(),
    })
    .nullable(),
  /** The arguments as one JSON Schema object; the executor validates calls against it. */
  inputSchema: z.record(z.string(), z.unknown()),
  idempotent: z.boolean(),
  /** The operation's tags in its document, which find_tools searches with its name and description. */
  tags: z.array(z.string().max(200)).max(50).optional(),
  /** The security schemes a call must present (all of them), from the document's `security`; absent or empty: none. */
  security: z.array(z.string().min(1).max(200)).max(10).optional(),
  /** JSON Schemas of successful JSON answers by status (`200`, `2XX`); an answer that does not fit fails the call. */
  responseSchemas: z.record(z.string().regex(/^2(\d\d|XX)$/), z.record(z.string(), z.unknown())).optional(),
  /** MCP tools only: the server's own name of the tool this operation calls (the operation's name may have been made valid). */
  mcpTool: z.string().min(1).max(500).optional(),
});

/** The scopes an OAuth 2 or OpenID Connect scheme asks for: those the document's security requirements name for it. */
const oauthScopesSchema = z.array(z.string().min(1).max(200)).max(500);
/** A token endpoint of an OAuth 2 scheme, and the scopes to ask for there. */
const oauthEndpointSchema = z.strictObject({ tokenUrl: z.url(), scopes: oauthScopesSchema });

/**
 * How a credential is presented, compiled from the document's `components.securitySchemes`.
 * OAuth 2 and OpenID Connect schemes present an access token as a bearer token; the secret the
 * tool names for one holds the client (and, for the refresh-token grant, the refresh token) as
 * JSON, never a token: `{"clientId", "clientSecret"?, "refreshToken"?, "clientAuth"?}`.
 */
export const securitySchemeSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('apiKey'), in: z.enum(['header', 'query', 'cookie']), name: z.string().min(1).max(200) }),
  z.strictObject({ type: z.literal('bearer') }),
  /** The secret holds `user:password`. */
  z.strictObject({ type: z.literal('basic') }),
  /**
   * `clientCredentials` from the flow of that name; `refreshToken` from the token URL of the
   * authorizationCode flow, where a refresh token obtained once is exchanged for access tokens.
   */
  z.strictObject({ type: z.literal('oauth2'), clientCredentials: oauthEndpointSchema.optional(), refreshToken: oauthEndpointSchema.optional() }),
  /** Discovery at `openIdConnectUrl` finds the token endpoint; either grant, by what the secret holds. */
  z.strictObject({ type: z.literal('openIdConnect'), openIdConnectUrl: z.url(), scopes: oauthScopesSchema }),
]);
/** An operation of the document the platform cannot call, and why; listed so the tenant sees what is missing. */
export const skippedOperationSchema = z.strictObject({
  method: z.string().min(1).max(20),
  path: z.string().min(1).max(2000),
  operationId: z.string().max(500).optional(),
  reason: z.string().min(1).max(1000),
});

/** Which operations of the document a tool offers: those matching `include` (when given) and not `exclude`. */
export const operationSelectionSchema = z.strictObject({
  tags: z.array(z.string().min(1).max(200)).max(200).optional(),
  operationIds: z.array(z.string().min(1).max(500)).max(2000).optional(),
  pathPrefixes: z.array(z.string().regex(/^\//, 'path prefixes start with "/"').max(2000)).max(200).optional(),
});

export type SecurityScheme = z.infer<typeof securitySchemeSchema>;
export const secretNameSchema = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'secret names are letters, digits, "_", "." and "-", at most 100');

/**
 * A registered tool: its OpenAPI document as given, what was compiled from it, and the limits the
 * tenant set. `scopes` name what the tool may touch, for policy rules to match on.
 *
 * An MCP tool (`kind: 'mcp'`) is an MCP server reached over streamable HTTP: `source` holds its URL,
 * `document` the server's identity and tool list as it answered, `baseUrl` the same URL, and each
 * operation one of its tools (`mcpTool`); it has no `openapi` version.
 */
export const toolDefinitionSchema = z.strictObject({
  /** Absent on tools registered before MCP tools existed: those are OpenAPI tools. */
  kind: z.enum(['openapi', 'mcp']).optional(),
  description: z.string().max(2000).optional(),
  source: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('inline') }),
    z.strictObject({ kind: z.literal('url'), url: z.url() }),
    z.strictObject({ kind: z.literal('mcp'), url: z.url() }),
  ]),
  document: z.record(z.string(), z.unknown()),
  /** Set when `document` is Swagger 2.0: it was converted to OpenAPI 3.0 (`openapi`) before compiling. */
  convertedFrom: z.literal('swagger-2.0').optional(),
  /** The OpenAPI version compiled from; absent for an MCP tool. */
  openapi: z.string().regex(/^3\.[01]\.\d+$/).optional(),
  title: z.string().max(500),
  documentVersion: z.string().max(200),
  baseUrl: z.url().nullable(),
  operations: z.array(toolOperationSchema).min(1).max(2000),
  /** Operations of the document the platform cannot call, with why; absent in events from before they were listed. */
  skipped: z.array(skippedOperationSchema).max(2000).optional(),
  /** The `include`/`exclude` the tool was registered with. */
  include: operationSelectionSchema.optional(),
  exclude: operationSelectionSchema.optional(),
  scopes: z.array(z.string().regex(/^[a-z0-9:._-]{1,100}$/)).max(50),
  rateLimitPerMinute: z.number().int().min(1).max(100_000).optional(),
  securitySchemes: z.record(z.string(), securitySchemeSchema).optional(),
  /** Which secret (by name, never its value) answers each security scheme. */
  credentials: z.record(z.string(), secretNameSchema).optional(),
  /** What happens to a call whose retries are exhausted (see exhaustedCallPolicies); absent in events from before calls could park: `fail`. */
  onExhausted: z.enum(exhaustedCallPolicies).optional(),
});
export type ToolDefinition = z.infer<typeof toolDefinitionSchema>;

/**
 * Where a definition too large for an event is kept: an attachment of the event store (gzipped
 * JSON of the definition), stored before the event that names it.
 */
export const storedDefinitionSchema = z.strictObject({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().min(0),
});
export type StoredDefinition = z.infer<typeof storedDefinitionSchema>;

/** A definition in the event (or command) itself, or by reference when it is too large for one: exactly one of the two. */
export const definitionOrStored = {
  definition: toolDefinitionSchema.optional(),
  stored: storedDefinitionSchema.optional(),
};
export const exactlyOneDefinition = [
  (data: { definition?: unknown; stored?: unknown }) => (data.definition === undefined) !== (data.stored === undefined),
  { message: 'carries either "definition" or "stored", not both and not neither' },
] as const;

const toolRegisteredV1 = z.strictObject({ name: toolNameSchema, version: z.number().int().min(1), definition: toolDefinitionSchema });

/**
 * One version of one tool of a tenant; registering a name again makes its next version. v2 may
 * name its definition by reference (`stored`) instead of carrying it: a large document's does not
 * fit an event. Readers load it with the event (libs/tools hydrateToolEvents).
 */
export const ToolRegistered = defineEvent('ToolRegistered', [
  { schema: toolRegisteredV1 },
  {
    schema: z.strictObject({ name: toolNameSchema, version: z.number().int().min(1), ...definitionOrStored }).refine(...exactlyOneDefinition),
    upcastFromPrevious: (v1: z.infer<typeof toolRegisteredV1>) => v1,
  },
]);


export const toolEvents = [ToolRegistered] as const;
export type ToolEvent = EventOf<(typeof toolEvents)[number]>;
