import { ToolDocumentError, type HttpMethod, type JsonSchema, type ToolOperation, type ToolParameter } from './openapi-tool.js';
import { compileRequestBody, type RawRequestBody } from './request-body.js';

const ignoredHeaders: ReadonlySet<string> = new Set(['accept', 'content-type', 'authorization']);
const idempotentMethods: ReadonlySet<HttpMethod> = new Set(['get', 'head', 'put', 'delete', 'options']);

export interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: JsonSchema;
  content?: Record<string, { schema?: JsonSchema }>;
  style?: string;
  explode?: boolean;
  allowReserved?: boolean;
}

export interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Parameter[];
  requestBody?: RawRequestBody;
  security?: unknown;
  responses?: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
}

/**
 * One operation as the executor calls it, named by `name`. What the platform cannot send throws a
 * ToolDocumentError starting with `<METHOD> <path>: `; the caller lists the operation as skipped.
 */
export function compileOperation(name: string, method: HttpMethod, path: string, operation: Operation, shared: readonly Parameter[]): Omit<ToolOperation, 'security'> {
  const where = `${method.toUpperCase()} ${path}`;
  const responseSchemas: Record<string, JsonSchema> = {};
  for (const [status, response] of Object.entries(operation.responses ?? {})) {
    if (!/^2(\d\d|XX)$/.test(status)) continue;
    const json = Object.entries(response?.content ?? {}).find(([type]) => /^application\/([a-z.+-]*\+)?json\b/.test(type));
    // A schema still holding a reference is recursive (left unresolved): the answer is not checked against it.
    if (json?.[1].schema && firstReference(json[1].schema) === undefined) responseSchemas[status] = json[1].schema;
  }

  // Operation-level parameters override path-level ones of the same name and location.
  const byKey = new Map<string, Parameter>();
  for (const parameter of [...shared, ...(operation.parameters ?? [])]) byKey.set(`${parameter.in}:${parameter.name}`, parameter);
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  const parameters: ToolParameter[] = [];
  for (const parameter of byKey.values()) {
    const location = parameter.in;
    // OpenAPI says these headers are described by the media types and security, not as parameters.
    if (location === 'header' && ignoredHeaders.has(parameter.name.toLowerCase())) continue;
    if (location !== 'path' && location !== 'query' && location !== 'header' && location !== 'cookie') {
      throw new ToolDocumentError(`${where}: ${location} parameters (${parameter.name}) are not supported; parameters go in the path, query, a header or a cookie.`);
    }
    if (parameter.name === 'body' || properties[parameter.name] !== undefined) {
      throw new ToolDocumentError(`${where}: two arguments would be named "${parameter.name}" (parameters in different places, or a parameter and the request body); rename one in the document.`);
    }
    // The validator has checked that the style is one OpenAPI allows in this location.
    const style = parameter.style as ToolParameter['style'];
    const schema = parameter.schema ?? Object.values(parameter.content ?? {})[0]?.schema ?? {};
    properties[parameter.name] = { ...schema, ...(parameter.description ? { description: parameter.description } : {}) };
    const isRequired = parameter.required === true || location === 'path';
    if (isRequired) required.push(parameter.name);
    parameters.push({
      name: parameter.name,
      in: location,
      required: isRequired,
      ...(style === undefined ? {} : { style }),
      ...(typeof parameter.explode === 'boolean' ? { explode: parameter.explode } : {}),
      ...(typeof parameter.allowReserved === 'boolean' ? { allowReserved: parameter.allowReserved } : {}),
    });
  }

  let body: ToolOperation['body'] = null;
  if (operation.requestBody) {
    const compiled = compileRequestBody(operation.requestBody);
    if ('reason' in compiled) throw new ToolDocumentError(`${where}: ${compiled.reason}`);
    properties.body = compiled.schema;
    body = compiled.body;
    if (body.required) required.push('body');
  }

  const recursive = firstReference(properties);
  if (recursive !== undefined) {
    throw new ToolDocumentError(`${where}: its arguments' schema refers to itself (${recursive}), which a tool's argument schema cannot express; describe the recursive part without a $ref (for example as an object with any properties).`);
  }

  return {
    name,
    method,
    path,
    description: (operation.summary ?? operation.description ?? where).slice(0, 1000),
    parameters,
    body,
    inputSchema: { type: 'object', properties, required, additionalProperties: false },
    idempotent: idempotentMethods.has(method),
    responseSchemas,
  };
}

/** The first `$ref` (the first `matching` one when given) anywhere in a value, if any. */
export function firstReference(value: unknown, matching: (ref: string) => boolean = () => true): string | undefined {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = firstReference(item, matching);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (key === '$ref' && typeof item === 'string' && matching(item)) return item;
    const found = firstReference(item, matching);
    if (found !== undefined) return found;
  }
  return undefined;
}
