import { z } from 'zod';
import { toolNameSchema } from './agent-events.js';
import { defineEvent, type EventOf } from './catalog.js';

/** One callable operation of a registered tool, as compiled from its OpenAPI document. */
export const toolOperationSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  method: z.enum(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']),
  path: z.string().min(1).max(2000),
  description: z.string().max(1000),
  parameters: z.array(z.strictObject({ name: z.string().min(1).max(200), in: z.enum(['path', 'query', 'header']), required: z.boolean() })).max(100),
  body: z.strictObject({ required: z.boolean() }).nullable(),
  /** The arguments as one JSON Schema object; the executor validates calls against it. */
  inputSchema: z.record(z.string(), z.unknown()),
  idempotent: z.boolean(),
  /** The security schemes a call must present (all of them), from the document's `security`; absent or empty: none. */
  security: z.array(z.string().min(1).max(200)).max(10).optional(),
  /** JSON Schemas of successful JSON answers by status (`200`, `2XX`); an answer that does not fit fails the call. */
  responseSchemas: z.record(z.string().regex(/^2(\d\d|XX)$/), z.record(z.string(), z.unknown())).optional(),
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
export type SecurityScheme = z.infer<typeof securitySchemeSchema>;
export const secretNameSchema = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'secret names are letters, digits, "_", "." and "-", at most 100');

/**
 * A registered tool: its OpenAPI document as given, what was compiled from it, and the limits the
 * tenant set. `scopes` name what the tool may touch, for policy rules to match on.
 */
export const toolDefinitionSchema = z.strictObject({
  description: z.string().max(2000).optional(),
  source: z.discriminatedUnion('kind', [z.strictObject({ kind: z.literal('inline') }), z.strictObject({ kind: z.literal('url'), url: z.url() })]),
  document: z.record(z.string(), z.unknown()),
  openapi: z.string().regex(/^3\.[01]\.\d+$/),
  title: z.string().max(500),
  documentVersion: z.string().max(200),
  baseUrl: z.url().nullable(),
  operations: z.array(toolOperationSchema).min(1).max(500),
  scopes: z.array(z.string().regex(/^[a-z0-9:._-]{1,100}$/)).max(50),
  rateLimitPerMinute: z.number().int().min(1).max(100_000).optional(),
  securitySchemes: z.record(z.string(), securitySchemeSchema).optional(),
  /** Which secret (by name, never its value) answers each security scheme. */
  credentials: z.record(z.string(), secretNameSchema).optional(),
});
export type ToolDefinition = z.infer<typeof toolDefinitionSchema>;

/** One version of one tool of a tenant; registering a name again makes its next version. */
export const ToolRegistered = defineEvent('ToolRegistered', [
  { schema: z.strictObject({ name: toolNameSchema, version: z.number().int().min(1), definition: toolDefinitionSchema }) },
]);

export const toolEvents = [ToolRegistered] as const;
export type ToolEvent = EventOf<(typeof toolEvents)[number]>;
