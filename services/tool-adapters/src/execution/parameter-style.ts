import type { ToolDefinition } from '@agent-orchestrator/contracts';

/**
 * OpenAPI parameter serialisation (`style` and `explode`), after the style table of the
 * OpenAPI specification and RFC 6570, which it follows. openapi-fetch exports serialisers of its
 * own, but they write every primitive as `name=value` whatever the style (a `label` or `matrix`
 * path parameter comes out wrong) and `allowReserved` there sends a value unencoded, spaces,
 * `%` and `#` included, which changes the request; hence this small module and its table.
 */
export type ParameterStyle = 'matrix' | 'label' | 'form' | 'simple' | 'spaceDelimited' | 'pipeDelimited' | 'deepObject';

export interface StyleOptions {
  readonly style: ParameterStyle;
  readonly explode: boolean;
  /** Keep RFC 3986 reserved characters as they are (query parameters only, by the specification). */
  readonly allowReserved?: boolean;
  /** False for header values, which are not URL text and are sent as they are. */
  readonly percentEncode?: boolean;
}

/** An argument that cannot become part of a request; `argument` names it as the model gave it. */
export class ArgumentRefused extends Error {
  constructor(
    readonly argument: string,
    readonly why: string,
    message = `argument ${argument} ${why}`,
  ) {
    super(message);
  }
}

type Primitive = string | number | boolean | null;

const isPrimitive = (value: unknown): value is Primitive => value === null || ['string', 'number', 'boolean'].includes(typeof value);
export const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `#` stays encoded even when reserved characters are allowed: the URL would end there and the rest never reach the server. */
const RESERVED_KEPT = /%(3A|2F|3F|5B|5D|40|21|24|26|27|28|29|2A|2B|2C|3B|3D)/gi;

/** Every character outside RFC 3986's unreserved set, as UTF-8 percent-escapes; `allowReserved` puts the reserved ones back. */
export function percentEncode(text: string, allowReserved = false): string {
  const encoded = encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return allowReserved ? encoded.replace(RESERVED_KEPT, (escape) => decodeURIComponent(escape)) : encoded;
}

/**
 * The parameter as request text, in pieces: one piece for every style but an exploded `form`
 * (and the delimited styles exploded, and `deepObject`), which yield one `name=value` piece per
 * value. A query joins the pieces with `&`, a Cookie header with `; `. An undefined value is no
 * piece at all. Throws ArgumentRefused for a value the style cannot carry.
 */
export function serializeParameter(name: string, value: unknown, options: StyleOptions): string[] {
  if (value === undefined) return [];
  const encode = (text: string) => (options.percentEncode === false ? text : percentEncode(text, options.allowReserved));
  const text = (item: unknown, where: string): string => {
    if (!isPrimitive(item)) throw new ArgumentRefused(where, `holds a nested ${Array.isArray(item) ? 'array' : 'object'}, which style ${options.style} cannot carry; only deepObject nests`);
    return encode(item === null ? '' : String(item));
  };
  const key = encode(name);
  const { style, explode } = options;

  if (style === 'deepObject') {
    if (!isPlainObject(value)) throw new ArgumentRefused(name, `is ${Array.isArray(value) ? 'an array' : 'not an object'}; style deepObject carries objects only`);
    return deepPieces(key, value, encode);
  }

  if (isPrimitive(value)) {
    const single = text(value, name);
    switch (style) {
      case 'matrix':
        return [single === '' ? `;${key}` : `;${key}=${single}`];
      case 'label':
        return [`.${single}`];
      case 'simple':
        return [single];
      // A lone value is a list of one for the delimited styles.
      case 'form':
      case 'spaceDelimited':
      case 'pipeDelimited':
        return [`${key}=${single}`];
    }
  }

  // An array's items, or an object's keys and values in the order given.
  const items = Array.isArray(value) ? value.map((item, index) => text(item, `${name}[${index}]`)) : undefined;
  const entries = isPlainObject(value) ? Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [encode(k), text(v, `${name}.${k}`)] as const) : [];
  const flat = items ?? entries.flat();
  const pairs = items ? items.map((item) => [key, item] as const) : entries;

  switch (style) {
    case 'simple':
      return [explode && !items ? pairs.map(([k, v]) => `${k}=${v}`).join(',') : flat.join(',')];
    case 'label':
      if (!explode) return [`.${flat.join(',')}`];
      return [`.${items ? items.join('.') : pairs.map(([k, v]) => `${k}=${v}`).join('.')}`];
    case 'matrix':
      if (!explode) return [`;${key}=${flat.join(',')}`];
      return [pairs.map(([k, v]) => `;${k}=${v}`).join('')];
    case 'form':
    case 'spaceDelimited':
    case 'pipeDelimited': {
      if (explode) return pairs.map(([k, v]) => `${k}=${v}`);
      const delimiter = style === 'form' ? ',' : style === 'spaceDelimited' ? '%20' : '|';
      return [`${key}=${flat.join(delimiter)}`];
    }
  }
}

/** `name[key][inner]=value`, one piece per leaf; arrays inside take their index as key. Brackets stay literal, as in the specification's example. */
function deepPieces(prefix: string, value: unknown, encode: (text: string) => string): string[] {
  if (isPrimitive(value)) return [`${prefix}=${encode(value === null ? '' : String(value))}`];
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((item, index) => [String(index), item]) : Object.entries(value as Record<string, unknown>);
  return entries.filter(([, item]) => item !== undefined).flatMap(([k, item]) => deepPieces(`${prefix}[${encode(k)}]`, item, encode));
}

/** OpenAPI's defaults: `form` for query and cookie, `simple` for path and header; explode only for `form`. */
export function styleOf(parameter: { in: 'path' | 'query' | 'header' | 'cookie'; style?: ParameterStyle; explode?: boolean; allowReserved?: boolean }): StyleOptions {
  const style = parameter.style ?? (parameter.in === 'query' || parameter.in === 'cookie' ? 'form' : 'simple');
  return {
    style,
    explode: parameter.explode ?? style === 'form',
    allowReserved: parameter.in === 'query' && parameter.allowReserved === true,
    percentEncode: parameter.in !== 'header',
  };
}

type Operation = ToolDefinition['operations'][number];

/** A header or cookie with a CR, LF or NUL would end its line early and smuggle in another. */
function holdsLineBreak(value: unknown): boolean {
  if (typeof value === 'string') return /[\r\n\0]/.test(value);
  if (Array.isArray(value)) return value.some(holdsLineBreak);
  return isPlainObject(value) && Object.entries(value).some(([key, item]) => holdsLineBreak(key) || holdsLineBreak(item));
}

/**
 * The operation's parameters as request parts: the path with its templates filled, query pieces
 * (joined with `&`), header values and cookie pairs (one Cookie header, joined with `; `; an
 * exploded form cookie is one pair per value). Throws ArgumentRefused, naming the argument, for
 * a value that cannot be sent as its parameter.
 */
export function serializeParameters(operation: Operation, args: Record<string, unknown>): { path: string; query: string[]; headers: Record<string, string>; cookies: string[] } {
  let path = operation.path;
  const query: string[] = [];
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const parameter of operation.parameters) {
    const value = args[parameter.name];
    if (value === undefined) continue;
    // Worded as before parameters had styles: a header parameter's name is its argument's name.
    if (parameter.in === 'header' && holdsLineBreak(value)) throw new ArgumentRefused(parameter.name, 'holds a CR, LF or NUL', `the value of header ${parameter.name} holds a CR, LF or NUL, which HTTP does not allow`);
    if (parameter.in === 'cookie' && holdsLineBreak(value)) throw new ArgumentRefused(parameter.name, `(cookie ${parameter.name}) holds a CR, LF or NUL, which a Cookie header cannot carry`);
    const pieces = serializeParameter(parameter.name, value, styleOf(parameter)).filter((piece) => piece !== '');
    if (parameter.in === 'path') {
      const segment = pieces.join('');
      if (segment === '.' || segment === '..') throw new ArgumentRefused(parameter.name, `is "${segment}", which would change the path instead of filling it`);
      path = path.replace(`{${parameter.name}}`, segment);
    } else if (parameter.in === 'query') query.push(...pieces);
    else if (parameter.in === 'header') headers[parameter.name.toLowerCase()] = pieces.join('');
    else cookies.push(...pieces);
  }
  return { path, query, headers, cookies };
}

/** The `body` argument's own schema within the operation's inputSchema, when it has one. */
export function bodySchemaOf(operation: Operation): unknown {
  const properties = operation.inputSchema.properties;
  return isPlainObject(properties) ? properties.body : undefined;
}
