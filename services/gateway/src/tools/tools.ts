import { ToolRegistry, toolRegistryStream, type ExhaustedCallPolicy, type ToolDefinition, type TopicNames, type Versioned } from '@agent-orchestrator/contracts';
import { currentEgress, egressErrorIn, type EgressGuard } from '@agent-orchestrator/egress';
import type { EventStore } from '@agent-orchestrator/event-store';
import type { MessageSender } from '@agent-orchestrator/messaging';
import { ToolDocumentError, hydrateToolEvents, type CompiledTool, type OperationSelection, type ToolCompiler } from '@agent-orchestrator/tools';
import type { Principal } from '../auth/access.guard.js';
import { GatewayError } from '../errors.js';
import { sendRegistration } from './send-registration.js';
import { registerMcpTool, type McpToolsBackend } from './mcp-tools.js';

export interface ToolsBackend extends McpToolsBackend {
  readonly store: EventStore;
  readonly producer: MessageSender;
  readonly topics: TopicNames;
  /** The largest OpenAPI document fetched by URL. */
  readonly maxDocumentBytes: number;
  /** Every document fetch goes through it, with the tenant's allow-list. */
  readonly egress: EgressGuard;
  /** Reads and compiles documents off the event loop. */
  readonly compiler: ToolCompiler;
  readonly confirmMs?: number;
}

export interface RegisterToolRequest {
  readonly name: string;
  readonly document?: unknown;
  readonly url?: string;
  readonly description?: string;
  readonly scopes?: readonly string[];
  readonly rateLimitPerMinute?: number;
  readonly onExhausted?: ExhaustedCallPolicy;
  readonly credentials?: Readonly<Record<string, string>>;
  readonly include?: OperationSelection;
  readonly exclude?: OperationSelection;
  /** An MCP server instead of a document: its streamable HTTP endpoint and the secret sent as a bearer token. */
  readonly mcp?: { readonly url: string; readonly credentials?: string };
}

/** A tool version as the API shows it: the compiled operations and the skipped ones, not the whole document. */
export function toolView({ name, version, definedAt, definition }: Versioned<ToolDefinition>) {
  const { document: _document, ...rest } = definition;
  return { name, version, registeredAt: definedAt, ...rest, onExhausted: definition.onExhausted ?? 'fail', skipped: definition.skipped ?? [], operations: definition.operations.map(({ name: operation, method, path, description, idempotent, inputSchema }) => ({ name: operation, method, path, description, idempotent, inputSchema })) };
}

/**
 * The tool registry. Tools are the tenant's `tool-<tenant>` stream, owned by tool-adapters: the
 * gateway validates and compiles the document (an invalid one, or one with nothing the platform can
 * call, is a 422 and nothing is sent; operations it cannot call are listed as skipped),
 * sends RegisterTool, and answers once the new version is in the log.
 */
export class Tools {
  constructor(private readonly backend: ToolsBackend) {}

  /**
   * The tenant's tools by name and version, for pins and name checks. A definition stored as an
   * attachment is not loaded here: list() and get() load the ones they show.
   */
  async registry(tenantId: string): Promise<ToolRegistry> {
    return ToolRegistry.fold(await this.events(tenantId));
  }

  async list(tenantId: string) {
    const events = await this.events(tenantId);
    const latest = ToolRegistry.fold(events).pins();
    return { items: (await this.loaded(events, (name, version) => latest[name] === version)).all().map(toolView) };
  }

  async get(tenantId: string, name: string, version?: number) {
    const events = await this.events(tenantId);
    const newest = ToolRegistry.fold(events).latest(name)?.version;
    const registry = await this.loaded(events, (candidate, at) => candidate === name && at === (version ?? newest));
    const found = version === undefined ? registry.latest(name) : registry.version(name, version);
    if (found) return toolView(found);
    if (version !== undefined && newest !== undefined) throw new GatewayError('NotFound', `Tool ${name} has no version ${version}; the latest is ${newest}.`);
    throw new GatewayError('NotFound', `Your tenant has no tool named ${name}.`);
  }

  private events(tenantId: string) {
    return this.backend.store.readStream(toolRegistryStream(tenantId));
  }

  /** The registry with the definitions of the `wanted` versions loaded, wherever they are stored. */
  private async loaded(events: Awaited<ReturnType<Tools['events']>>, wanted: (name: string, version: number) => boolean): Promise<ToolRegistry> {
    return ToolRegistry.fold(await hydrateToolEvents(this.backend.store, events, wanted));
  }

  async register(caller: Principal, request: RegisterToolRequest) {
    if (request.mcp !== undefined) return toolView(await registerMcpTool(this.backend, caller, { ...request, mcp: request.mcp }));
    const source = request.url === undefined ? ({ kind: 'inline' } as const) : ({ kind: 'url', url: request.url } as const);
    const raw = request.url === undefined ? request.document : await this.fetchDocument(caller.tenantId, request.url);
    let document: Record<string, unknown>;
    let compiled: CompiledTool;
    try {
      const options = { toolName: request.name, ...(request.include ? { include: request.include } : {}), ...(request.exclude ? { exclude: request.exclude } : {}) };
      ({ document, compiled } = await this.backend.compiler.compile({ input: raw, ...(request.url === undefined ? {} : { fetchedFrom: request.url }), options }));
    } catch (error) {
      if (error instanceof ToolDocumentError) throw new GatewayError('InvalidBody', error.message);
      throw error;
    }
    const unknownSchemes = Object.keys(request.credentials ?? {}).filter((scheme) => compiled.securitySchemes[scheme] === undefined);
    if (unknownSchemes.length > 0) {
      const known = Object.keys(compiled.securitySchemes);
      throw new GatewayError('InvalidBody', `"credentials" names security schemes the document does not declare (or the platform cannot present): ${unknownSchemes.join(', ')}. ${known.length > 0 ? `Its schemes are: ${known.join(', ')}.` : 'It declares none.'}`);
    }
    const definition: ToolDefinition = {
      ...(request.description === undefined ? {} : { description: request.description }),
      source,
      document,
      ...compiled,
      operations: compiled.operations.map((operation) => ({ ...operation, parameters: [...operation.parameters], security: [...operation.security] })),
      scopes: [...(request.scopes ?? [])],
      ...(request.include === undefined ? {} : { include: selection(request.include) }),
      ...(request.exclude === undefined ? {} : { exclude: selection(request.exclude) }),
      ...(request.rateLimitPerMinute === undefined ? {} : { rateLimitPerMinute: request.rateLimitPerMinute }),
      ...(request.onExhausted === undefined ? {} : { onExhausted: request.onExhausted }),
      ...(request.credentials === undefined ? {} : { credentials: { ...request.credentials } }),
    };
    return toolView(await sendRegistration(this.backend, caller, request.name, definition));
  }

  /**
   * Fetches a document by URL through the egress guard (the tenant's allow-list; redirects
   * followed up to 5 times, each hop checked): http(s) only, within 10 s and the size limit.
   * What a failure says is bounded so the gateway cannot be used to probe: a refusal names its
   * rule, anything short of an answer is "could not connect" (an open port and a closed one read
   * alike), and an answer that is not a document is never quoted.
   */
  private async fetchDocument(tenantId: string, url: string): Promise<string> {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new GatewayError('InvalidBody', `The document URL must be http or https, not ${parsed.protocol}`);
    const { allow } = await currentEgress(this.backend.store, tenantId);
    let response: Awaited<ReturnType<EgressGuard['fetch']>>['response'];
    try {
      ({ response } = await this.backend.egress.fetch(parsed, { signal: AbortSignal.timeout(10_000), headers: { accept: 'application/json, application/yaml, text/yaml, */*' } }, { allow, maxRedirects: 5 }));
    } catch (error) {
      const refused = egressErrorIn(error);
      if (refused) throw new GatewayError('InvalidBody', `The document URL was refused: ${refused.message}.`);
      throw new GatewayError('InvalidBody', `The document could not be fetched from ${url}: could not connect.`);
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new GatewayError('InvalidBody', `Fetching the document from ${url} answered ${response.status}.`);
    }
    if (/html/i.test(response.headers.get('content-type') ?? '')) {
      await response.body?.cancel();
      throw new GatewayError('InvalidBody', `${url} answered with an HTML page, not an OpenAPI document (JSON or YAML).`);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body ?? []) {
        size += chunk.byteLength;
        if (size > this.backend.maxDocumentBytes) throw new GatewayError('InvalidBody', `The document at ${url} is larger than ${this.backend.maxDocumentBytes} bytes.`);
        chunks.push(chunk);
      }
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      throw new GatewayError('InvalidBody', `The document could not be fetched from ${url}: the connection broke off.`);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
}

function selection({ tags, operationIds, pathPrefixes }: OperationSelection) {
  return { ...(tags ? { tags: [...tags] } : {}), ...(operationIds ? { operationIds: [...operationIds] } : {}), ...(pathPrefixes ? { pathPrefixes: [...pathPrefixes] } : {}) };
}
