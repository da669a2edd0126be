import { compileErrors, dereference, validate } from '@readme/openapi-parser';
import { parse as parseYaml } from 'yaml';
import { supportedSchemes, supportedSchemesInWords, type RawScheme, type SecurityScheme } from './security-schemes.js';

/** Methods a tool may call; GET, HEAD, PUT, DELETE and OPTIONS are idempotent and may be retried. */
const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
export type HttpMethod = (typeof methods)[number];
const idempotentMethods: ReadonlySet<HttpMethod> = new Set(['get', 'head', 'put', 'delete', 'options']);

export type JsonSchema = Record<string, unknown>;

/** One callable operation of a registered tool: what the model sees and what the executor sends. */
export interface ToolOperation {
  /** The operationId, or `<method>_<path>` when there is none; letters, digits, "_" and "-". */
  readonly name: string;
  readonly method: HttpMethod;
  readonly path: string;
  readonly description: string;
  readonly parameters: readonly { readonly name: string; readonly in: 'path' | 'query' | 'header'; readonly required: boolean }[];
  /** A JSON body, sent as the `body` argument. */
  readonly body: { readonly required: boolean } | null;
  /** The arguments as one JSON Schema object: each parameter by name, the body as `body`. */
  readonly inputSchema: JsonSchema;
  readonly idempotent: boolean;
  /** The security schemes a call presents, all of them; empty: none. */
  readonly security: readonly string[];
  /** JSON Schemas of the JSON bodies of successful answers, by status (`200`, `2XX`); answers are checked against them. */
  readonly responseSchemas: Readonly<Record<string, JsonSchema>>;
}

export interface CompiledTool {
  readonly openapi: string;
  readonly title: string;
  readonly documentVersion: string;
  /** The first server's URL when it is absolute; calls go there. */
  readonly baseUrl: string | null;
  readonly operations: readonly ToolOperation[];
  /** The document's security schemes the executor can present (see supportedSchemes). */
  readonly securitySchemes: Readonly<Record<string, SecurityScheme>>;
}

/** The document is not a usable OpenAPI 3.0 or 3.1 document; the message says why. */
export class ToolDocumentError extends Error {
  override readonly name = 'ToolDocumentError';
}

const operationNamePattern = /^[A-Za-z0-9_-]{1,64}$/;

/** The document as an object: given as one, or as JSON or YAML text. */
export function readToolDocument(input: unknown): Record<string, unknown> {
  let document = input;
  if (typeof input === 'string') {
    try {
      document = parseYaml(input);
    } catch (error) {
      throw new ToolDocumentError(`The document is neither JSON nor YAML: ${(error as Error).message}`);
    }
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw new ToolDocumentError('The document must be an OpenAPI object.');
  return document as Record<string, unknown>;
}

/**
 * Validates an OpenAPI 3.0 or 3.1 document and turns every operation into a callable tool
 * operation with a JSON Schema of its arguments. Only `#/...` references are followed: a document
 * cannot make the platform read files or fetch URLs.
 */
export async function compileOpenApi(input: unknown): Promise<CompiledTool> {
  const document = readToolDocument(input);
  const version = typeof document.openapi === 'string' ? document.openapi : undefined;
  if (version === undefined || !/^3\.[01]\.\d+$/.test(version)) {
    const given = typeof document.swagger === 'string' ? `Swagger ${document.swagger}` : version === undefined ? 'no "openapi" field' : `openapi ${version}`;
    throw new ToolDocumentError(`Only OpenAPI 3.0 and 3.1 documents can be registered; this one has ${given}.`);
  }
  const resolve = { external: false };
  const result = await validate(structuredClone(document) as never, { resolve, validate: { errors: { colorize: false } } });
  if (!result.valid) {
    const details = result.errors.map((error) => error.message).join('\n');
    throw new ToolDocumentError(`The OpenAPI document is not valid: ${details || compileErrors(result)}`);
  }
  const external = externalReference(document);
  if (external !== undefined) throw new ToolDocumentError(`The document refers to ${external}; only references within the document ("#/...") are followed.`);
  let resolved: Record<string, unknown>;
  try {
    resolved = (await dereference(structuredClone(document) as never, { resolve, dereference: { circular: 'ignore' } })) as Record<string, unknown>;
  } catch (error) {
    throw new ToolDocumentError(`The OpenAPI document's references cannot be resolved: ${(error as Error).message}`);
  }

  const info = (resolved.info ?? {}) as { title?: string; version?: string };
  const securitySchemes = supportedSchemes(((resolved.components ?? {}) as { securitySchemes?: Record<string, RawScheme> }).securitySchemes ?? {}, resolved);
  const operations: ToolOperation[] = [];
  for (const [path, item] of Object.entries((resolved.paths ?? {}) as Record<string, Record<string, unknown>>)) {
    const shared = (item.parameters ?? []) as Parameter[];
    for (const method of methods) {
      const operation = item[method] as Operation | undefined;
      if (operation === undefined) continue;
      operations.push({ ...compileOperation(method, path, operation, shared), security: securityOf(method, path, operation.security ?? resolved.security, securitySchemes) });
    }
  }
  if (operations.length === 0) throw new ToolDocumentError('The OpenAPI document has no operations to call.');
  const duplicates = operations.map((o) => o.name).filter((name, index, all) => all.indexOf(name) !== index);
  if (duplicates.length > 0) throw new ToolDocumentError(`Operation names must be unique; these repeat: ${[...new Set(duplicates)].join(', ')}.`);

  const servers = (resolved.servers ?? []) as { url?: string }[];
  return { openapi: version, title: info.title ?? '', documentVersion: info.version ?? '', baseUrl: absoluteUrl(servers[0]?.url), operations, securitySchemes };
}

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: JsonSchema;
}

interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  security?: unknown;
  responses?: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
}

function compileOperation(method: HttpMethod, path: string, operation: Operation, shared: readonly Parameter[]): Omit<ToolOperation, 'security'> {
  const responseSchemas: Record<string, JsonSchema> = {};
  for (const [status, response] of Object.entries(operation.responses ?? {})) {
    if (!/^2(\d\d|XX)$/.test(status)) continue;
    const json = Object.entries(response?.content ?? {}).find(([type]) => /^application\/([a-z.+-]*\+)?json\b/.test(type));
    if (json?.[1].schema) responseSchemas[status] = json[1].schema;
  }
  const name = operation.operationId ?? [method, ...path.split(/[^A-Za-z0-9]+/).filter(Boolean)].join('_');
  const where = `${method.toUpperCase()} ${path}`;
  if (!operationNamePattern.test(name)) throw new ToolDocumentError(`${where}: the operation name "${name}" must be 1 to 64 letters, digits, "_" or "-".`);

  // Operation-level parameters override path-level ones of the same name and location.
  const byKey = new Map<string, Parameter>();
  for (const parameter of [...shared, ...(operation.parameters ?? [])]) byKey.set(`${parameter.in}:${parameter.name}`, parameter);
  const parameters = [...byKey.values()];
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const parameter of parameters) {
    if (parameter.in !== 'path' && parameter.in !== 'query' && parameter.in !== 'header') {
      throw new ToolDocumentError(`${where}: ${parameter.in} parameters (${parameter.name}) are not supported; use path, query or header parameters.`);
    }
    if (parameter.name === 'body' || properties[parameter.name] !== undefined) {
      throw new ToolDocumentError(`${where}: two arguments would be named "${parameter.name}"; rename a parameter.`);
    }
    properties[parameter.name] = { ...(parameter.schema ?? {}), ...(parameter.description ? { description: parameter.description } : {}) };
    if (parameter.required || parameter.in === 'path') required.push(parameter.name);
  }

  let body: ToolOperation['body'] = null;
  if (operation.requestBody) {
    const content = operation.requestBody.content ?? {};
    const json = Object.entries(content).find(([type]) => /^application\/([a-z.+-]*\+)?json\b/.test(type));
    if (!json) throw new ToolDocumentError(`${where}: only JSON request bodies are supported; this one is ${Object.keys(content).join(', ') || 'empty'}.`);
    properties.body = json[1].schema ?? {};
    body = { required: operation.requestBody.required ?? false };
    if (body.required) required.push('body');
  }

  return {
    name,
    method,
    path,
    description: (operation.summary ?? operation.description ?? where).slice(0, 1000),
    parameters: parameters.map((p) => ({ name: p.name, in: p.in as 'path' | 'query' | 'header', required: p.required === true || p.in === 'path' })),
    body,
    inputSchema: { type: 'object', properties, required, additionalProperties: false },
    idempotent: idempotentMethods.has(method),
    responseSchemas,
  };
}

/** The first `$ref` that points outside the document, if any. */
function externalReference(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = externalReference(item);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (key === '$ref' && typeof item === 'string' && !item.startsWith('#')) return item;
    const found = externalReference(item);
    if (found !== undefined) return found;
  }
  return undefined;
}

function absoluteUrl(url: string | undefined): string | null {
  if (url === undefined) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? url.replace(/\/+$/, '') : null;
  } catch {
    return null;
  }
}

/**
 * The schemes a call presents: of the operation's (or the document's) alternatives, the first
 * whose schemes are all supported; an empty alternative means none is needed. An operation whose
 * every alternative needs an unsupported scheme (OAuth 2, a cookie) cannot be called.
 */
function securityOf(method: HttpMethod, path: string, requirements: unknown, schemes: Record<string, SecurityScheme>): string[] {
  if (!Array.isArray(requirements) || requirements.length === 0) return [];
  for (const requirement of requirements as Record<string, unknown>[]) {
    const names = Object.keys(requirement ?? {});
    if (names.every((name) => schemes[name] !== undefined)) return names;
  }
  const wanted = (requirements as Record<string, unknown>[]).map((requirement) => Object.keys(requirement ?? {}).join(' + ')).join(' or ');
  throw new ToolDocumentError(`${method.toUpperCase()} ${path}: its security (${wanted}) needs a scheme the platform cannot present; supported are ${supportedSchemesInWords}.`);
}
