import { compileErrors, dereference, validate } from '@readme/openapi-parser';
import { upgrade } from '@scalar/openapi-upgrader';
import { parse as parseYaml } from 'yaml';
import { compileOperation, firstReference, type Operation, type Parameter } from './compile-operation.js';
import { baseOperationName, fittedOperationName, maxModelToolName, withHash } from './operation-names.js';
import { checkSelection, isSelected, type OperationSelection } from './operation-selection.js';
import { supportedSchemes, supportedSchemesInWords, type RawScheme, type SecurityScheme } from './security-schemes.js';

/** Methods a tool may call; GET, HEAD, PUT, DELETE and OPTIONS are idempotent and may be retried. */
const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
export type HttpMethod = (typeof methods)[number];

export type JsonSchema = Record<string, unknown>;

/** A parameter as the executor serialises it; absent `style`/`explode` mean OpenAPI's defaults for its location. */
export interface ToolParameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly required: boolean;
  readonly style?: 'matrix' | 'label' | 'form' | 'simple' | 'spaceDelimited' | 'pipeDelimited' | 'deepObject';
  readonly explode?: boolean;
  readonly allowReserved?: boolean;
}

/** One callable operation of a registered tool: what the model sees and what the executor sends. */
export interface ToolOperation {
  /** The operationId when it is a valid name, else `<method>_<path>`; shortened with a hash so `<tool>__<name>` fits 64 characters. */
  readonly name: string;
  readonly method: HttpMethod;
  readonly path: string;
  readonly description: string;
  readonly parameters: readonly ToolParameter[];
  /** The request body, sent as the `body` argument: its media type and, for form and multipart, the document's encoding. */
  readonly body: { readonly required: boolean; readonly mediaType?: string; readonly encoding?: Readonly<Record<string, { readonly contentType?: string; readonly style?: string; readonly explode?: boolean }>> } | null;
  /** The arguments as one JSON Schema object: each parameter by name, the body as `body`. */
  readonly inputSchema: JsonSchema;
  readonly idempotent: boolean;
  /** The security schemes a call presents, all of them; empty: none. */
  readonly security: readonly string[];
  /** JSON Schemas of the JSON bodies of successful answers, by status (`200`, `2XX`); answers are checked against them. */
  readonly responseSchemas: Readonly<Record<string, JsonSchema>>;
}

/** An operation of the document the platform cannot call, and why. */
export interface SkippedOperation {
  readonly method: string;
  readonly path: string;
  readonly operationId?: string;
  readonly reason: string;
}

export interface CompiledTool {
  readonly openapi: string;
  /** Set when the document given was Swagger 2.0, converted to OpenAPI 3.0 before compiling. */
  readonly convertedFrom?: 'swagger-2.0';
  readonly title: string;
  readonly documentVersion: string;
  /** The first server's URL when it is absolute; calls go there. */
  readonly baseUrl: string | null;
  readonly operations: readonly ToolOperation[];
  /** Operations of the document (among those selected) that cannot be called, with why. */
  readonly skipped: SkippedOperation[];
  /** The document's security schemes the executor can present (see supportedSchemes). */
  readonly securitySchemes: Readonly<Record<string, SecurityScheme>>;
}

export interface CompileOptions {
  /** The tool's name: operation names are fitted so `<tool>__<operation>` is at most 64 characters. */
  readonly toolName?: string;
  /** Offer only operations matching this. */
  readonly include?: OperationSelection;
  /** Do not offer operations matching this (they are not listed as skipped either). */
  readonly exclude?: OperationSelection;
}

/** The document is not a usable OpenAPI 3.0/3.1 or Swagger 2.0 document, or offers nothing callable; the message says why. */
export class ToolDocumentError extends Error {
  override readonly name = 'ToolDocumentError';
}

/** How many skip reasons a refusal quotes. */
const reasonsShown = 10;

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
 * Validates an OpenAPI 3.0 or 3.1 document (or a Swagger 2.0 one, converted to OpenAPI 3.0) and
 * turns every selected operation it can call into a tool operation with a JSON Schema of its
 * arguments; the others are listed as skipped with why. Fails only for whole-document problems or
 * when nothing is left to call. Only `#/...` references are followed: a document cannot make the
 * platform read files or fetch URLs.
 */
export async function compileOpenApi(input: unknown, options: CompileOptions = {}): Promise<CompiledTool> {
  const given = readToolDocument(input);
  const swagger = given.swagger === '2.0';
  const version = typeof given.openapi === 'string' ? given.openapi : undefined;
  if (!swagger && (version === undefined || !/^3\.[01]\.\d+$/.test(version))) {
    const found = typeof given.swagger === 'string' ? `Swagger ${given.swagger}` : version === undefined ? 'no "openapi" field' : `openapi ${version}`;
    throw new ToolDocumentError(`Only OpenAPI 3.0 and 3.1 and Swagger 2.0 documents can be registered; this one has ${found}.`);
  }
  const resolve = { external: false };
  const result = await validate(structuredClone(given) as never, { resolve, validate: { errors: { colorize: false } } });
  if (!result.valid) {
    const details = result.errors.map((error) => error.message).join('\n');
    throw new ToolDocumentError(`The ${swagger ? 'Swagger' : 'OpenAPI'} document is not valid: ${details || compileErrors(result)}`);
  }
  const external = firstReference(given, (ref) => !ref.startsWith('#'));
  if (external !== undefined) throw new ToolDocumentError(`The document refers to ${external}; only references within the document ("#/...") are followed.`);
  const document = swagger ? converted(given) : given;
  let resolved: Record<string, unknown>;
  try {
    resolved = (await dereference(structuredClone(document) as never, { resolve, dereference: { circular: 'ignore' } })) as Record<string, unknown>;
  } catch (error) {
    throw new ToolDocumentError(`The OpenAPI document's references cannot be resolved: ${(error as Error).message}`);
  }

  const info = (resolved.info ?? {}) as { title?: string; version?: string };
  const securitySchemes = supportedSchemes(((resolved.components ?? {}) as { securitySchemes?: Record<string, RawScheme> }).securitySchemes ?? {}, resolved);
  const found: { method: HttpMethod; path: string; operation: Operation; shared: Parameter[] }[] = [];
  for (const [path, item] of Object.entries((resolved.paths ?? {}) as Record<string, Record<string, unknown>>)) {
    for (const method of methods) {
      const operation = item?.[method] as Operation | undefined;
      if (operation !== undefined) found.push({ method, path, operation, shared: (item.parameters ?? []) as Parameter[] });
    }
  }
  if (found.length === 0) throw new ToolDocumentError('The OpenAPI document has no operations to call.');
  const { include, exclude } = options;
  checkSelection(
    found.map(({ path, operation }) => ({ path, operationId: operation.operationId })),
    { ...(include ? { include } : {}), ...(exclude ? { exclude } : {}) },
  );

  const names = operationNames(options.toolName, found);
  const operations: ToolOperation[] = [];
  const skipped: SkippedOperation[] = [];
  for (const [index, { method, path, operation, shared }] of found.entries()) {
    if (!isSelected({ path, operationId: operation.operationId, tags: operation.tags }, include, exclude)) continue;
    const where = `${method.toUpperCase()} ${path}: `;
    const skip = (reason: string) => skipped.push({ method, path, ...(typeof operation.operationId === 'string' ? { operationId: operation.operationId.slice(0, 500) } : {}), reason: reason.slice(0, 1000) });
    const name = names[index]!;
    if ('repeats' in name) {
      skip(`its name "${name.repeats}" is another operation's too; give the operations different operationIds.`);
      continue;
    }
    try {
      operations.push({ ...compileOperation(name.name, method, path, operation, shared), security: securityOf(method, path, operation.security ?? resolved.security, securitySchemes) });
    } catch (error) {
      if (!(error instanceof ToolDocumentError)) throw error;
      skip(error.message.startsWith(where) ? error.message.slice(where.length) : error.message);
    }
  }
  if (operations.length === 0) throw new ToolDocumentError(nothingToCall(found.length, skipped));

  const servers = (resolved.servers ?? []) as { url?: string }[];
  const openapi = typeof resolved.openapi === 'string' ? resolved.openapi : '3.0.0';
  return { openapi, ...(swagger ? { convertedFrom: 'swagger-2.0' as const } : {}), title: info.title ?? '', documentVersion: info.version ?? '', baseUrl: absoluteUrl(servers[0]?.url), operations, skipped, securitySchemes };
}

/** A Swagger 2.0 document as OpenAPI 3.0, by a maintained converter that reads nothing beyond the document. */
function converted(document: Record<string, unknown>): Record<string, unknown> {
  try {
    return upgrade(structuredClone(document), '3.0') as unknown as Record<string, unknown>;
  } catch (error) {
    throw new ToolDocumentError(`The Swagger 2.0 document could not be converted to OpenAPI 3.0: ${(error as Error).message}. Convert it yourself and register the OpenAPI 3 document.`);
  }
}

/**
 * Each operation's name, in document order: the operationId or a name from method and path, fitted
 * to the tool's name. A name two operations would share gets the method-and-path hash on the ones
 * not named by their operationId; what still repeats cannot be called.
 */
function operationNames(toolName: string | undefined, found: readonly { method: HttpMethod; path: string; operation: Operation }[]): ({ name: string } | { repeats: string })[] {
  // Without a tool name, names are fitted for the shortest one (a single character).
  const tool = toolName ?? 'x';
  const room = maxModelToolName - tool.length - 2;
  if (room < 9) throw new ToolDocumentError(`The tool name "${tool}" leaves no room for operation names within ${maxModelToolName} characters; use a shorter name.`);
  const first = found.map(({ method, path, operation }) => fittedOperationName(tool, baseOperationName(method, path, operation.operationId), method, path));
  const count = (names: readonly string[]) => names.reduce((counts, name) => counts.set(name, (counts.get(name) ?? 0) + 1), new Map<string, number>());
  const firstCounts = count(first);
  const second = first.map((name, index) => {
    const { method, path, operation } = found[index]!;
    const byId = operation.operationId !== undefined && baseOperationName(method, path, operation.operationId) === operation.operationId;
    return firstCounts.get(name)! > 1 && !byId ? withHash(name, room, method, path) : name;
  });
  const secondCounts = count(second);
  const seen = new Set<string>();
  return second.map((name) => {
    if (secondCounts.get(name)! > 1 && seen.has(name)) return { repeats: name };
    seen.add(name);
    return { name };
  });
}

/** Why a document with no callable operation is refused: each skip reason, bounded. */
function nothingToCall(total: number, skipped: readonly SkippedOperation[]): string {
  if (skipped.length === 0) return `"include" and "exclude" leave none of the document's ${total} operations; choose at least one.`;
  const reasons = skipped.slice(0, reasonsShown).map(({ method, path, reason }) => `${method.toUpperCase()} ${path}: ${reason}`);
  const more = skipped.length > reasonsShown ? `\n(and ${skipped.length - reasonsShown} more)` : '';
  return `None of the document's operations can be called by the platform, so there is nothing to register:\n${reasons.join('\n')}${more}`;
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
