import { toolDefinitionSchema, type ExhaustedCallPolicy, type ToolDefinition, type TopicNames, type Versioned } from '@agent-orchestrator/contracts';
import { currentEgress, egressErrorIn, type EgressGuard } from '@agent-orchestrator/egress';
import type { EventStore } from '@agent-orchestrator/event-store';
import type { MessageSender } from '@agent-orchestrator/messaging';
import { isSecretStoreError, type SecretStore } from '@agent-orchestrator/secrets';
import { McpServerError, compileMcpTools, mcpFetch, readMcpServer } from '@agent-orchestrator/tools';
import type { RequestInit as GuardedInit } from 'undici';
import type { Principal } from '../auth/access.guard.js';
import { GatewayError } from '../errors.js';
import { sendRegistration } from './send-registration.js';

export interface McpToolsBackend {
  readonly store: EventStore;
  readonly producer: MessageSender;
  readonly topics: TopicNames;
  readonly egress: EgressGuard;
  /** Where the bearer token named by `credentials` is read; without it such a server cannot be registered. */
  readonly secrets?: SecretStore | null;
  readonly confirmMs?: number;
}

export interface RegisterMcpToolRequest {
  readonly name: string;
  readonly mcp: { readonly url: string; readonly credentials?: string };
  readonly description?: string;
  readonly scopes?: readonly string[];
  readonly rateLimitPerMinute?: number;
  readonly onExhausted?: ExhaustedCallPolicy;
}

/** The most a server's answers may hold while its tools are listed (all pages together stay within the event's limits). */
const maxListingBytes = 4 * 1024 * 1024;

/** The one security scheme of an MCP tool: the secret `credentials` names, sent as a bearer token. */
export const mcpCredentialScheme = 'mcp';

/**
 * Registers an MCP server as a tool: connects to it over streamable HTTP through the egress guard
 * (the tenant's allow-list, no redirects followed), lists every tool it has and pins them as the
 * tool's next version, one operation per MCP tool. A server that cannot be reached, is not MCP
 * or lists nothing usable is a 422 and nothing is registered.
 */
export async function registerMcpTool(backend: McpToolsBackend, caller: Principal, request: RegisterMcpToolRequest): Promise<Versioned<ToolDefinition>> {
  const { url, credentials } = request.mcp;
  const endpoint = new URL(url);
  if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') throw new GatewayError('InvalidBody', `The MCP server URL must be http or https, not ${endpoint.protocol}`);
  const bearer = credentials === undefined ? undefined : await secretValue(backend.secrets, caller.tenantId, credentials);
  const { allow } = await currentEgress(backend.store, caller.tenantId);
  const deadline = AbortSignal.timeout(20_000);
  const transport = mcpFetch(
    async (target, init) => (await backend.egress.fetch(target, { ...(init as GuardedInit), signal: init.signal ? AbortSignal.any([init.signal, deadline]) : deadline }, { allow, maxRedirects: 0 })).response as unknown as Response,
    { ...(bearer === undefined ? {} : { bearer }), refusalOf: (error) => egressErrorIn(error)?.message, maxResponseBytes: maxListingBytes },
  );
  let definition: ToolDefinition;
  try {
    const listing = await readMcpServer(url, transport);
    const operations = compileMcpTools(request.name, listing.tools, endpoint);
    definition = {
      kind: 'mcp',
      ...(request.description === undefined ? {} : { description: request.description }),
      source: { kind: 'mcp', url },
      document: { ...(listing.protocolVersion === undefined ? {} : { protocolVersion: listing.protocolVersion }), server: listing.server, tools: listing.tools },
      title: (listing.server.title ?? listing.server.name).slice(0, 500),
      documentVersion: listing.server.version.slice(0, 200),
      baseUrl: url,
      operations: operations.map((operation) => ({ ...operation, parameters: [], security: credentials === undefined ? [] : [mcpCredentialScheme] })),
      scopes: [...(request.scopes ?? [])],
      ...(request.rateLimitPerMinute === undefined ? {} : { rateLimitPerMinute: request.rateLimitPerMinute }),
      ...(request.onExhausted === undefined ? {} : { onExhausted: request.onExhausted }),
      ...(credentials === undefined ? {} : { securitySchemes: { [mcpCredentialScheme]: { type: 'bearer' } }, credentials: { [mcpCredentialScheme]: credentials } }),
    };
  } catch (error) {
    if (error instanceof McpServerError) throw new GatewayError('InvalidBody', `The MCP server could not be registered: ${error.message}.`);
    throw error;
  }
  // What tool-adapters would refuse (more tools than a tool may have, a schema that is no object) is refused here, with the reason.
  const checked = toolDefinitionSchema.safeParse(definition);
  if (!checked.success) {
    const [issue] = checked.error.issues;
    throw new GatewayError('InvalidBody', `The MCP server's tools cannot be pinned as a tool: ${issue?.path.join('.') ?? 'the definition'}: ${issue?.message ?? 'invalid'}.`);
  }
  return sendRegistration(backend, caller, request.name, definition);
}

/** The bearer token's value, read now to list the server's tools; never stored or logged, only its name is. */
async function secretValue(secrets: SecretStore | null | undefined, tenantId: string, name: string): Promise<string> {
  if (!secrets) throw new GatewayError('InvalidBody', `"mcp.credentials" names secret ${name}, but no secret store is configured (SECRETS_KEY, or SECRETS_BACKEND=vault), so the server cannot be reached with it.`);
  let value: string | undefined;
  try {
    value = await secrets.get(tenantId, name);
  } catch (error) {
    if (isSecretStoreError(error)) throw new GatewayError('InvalidBody', `Secret ${name} cannot be read: ${error.message}`);
    throw error;
  }
  if (value === undefined) throw new GatewayError('InvalidBody', `Secret ${name} (named by "mcp.credentials") is not set; set it with PUT /v1/secrets/${name}, then register again.`);
  return value;
}
