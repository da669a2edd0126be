import type { ToolDefinition } from '@agent-orchestrator/contracts';
import { FormData } from 'undici';
import { ArgumentRefused, isPlainObject, serializeParameter, type ParameterStyle } from './parameter-style.js';

type BodySpec = NonNullable<ToolDefinition['operations'][number]['body']>;
type Encoding = NonNullable<BodySpec['encoding']>[string];

/** What fetch sends, and the Content-Type to declare (absent for multipart: fetch writes it with its boundary). */
export interface EncodedBody {
  readonly body: string | Uint8Array | FormData;
  readonly contentType?: string;
}

/** A file as the model gives it: the bytes in base64, with an optional name and type. */
interface FileArgument {
  readonly base64: string;
  readonly filename?: string;
  readonly contentType?: string;
}

const FILE_KEYS = new Set(['base64', 'filename', 'contentType']);
const isFileArgument = (value: unknown): value is FileArgument =>
  isPlainObject(value) && typeof value.base64 === 'string' && Object.keys(value).every((key) => FILE_KEYS.has(key));

const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const UNSENDABLE = /[\r\n\0]/;

/** Lines of base64 may be wrapped; anything else that is not standard base64 is refused, since Buffer.from would drop it silently and send other bytes. */
function decodeBase64(text: string, argument: string): Uint8Array {
  const joined = text.replace(/[\r\n\t ]/g, '');
  if (!STANDARD_BASE64.test(joined)) throw new ArgumentRefused(argument, 'is not base64: give the bytes in standard base64 (A-Z, a-z, 0-9, "+", "/", padded with "=")');
  return Buffer.from(joined, 'base64');
}

const isJson = (mediaType: string) => /^application\/(?:[\w.-]+\+)?json$/i.test(mediaType);
/** A property's schema says binary: `format: binary`, `contentMediaType`, or a branch that takes a `{ base64 }` file. */
function isBinarySchema(schema: unknown): boolean {
  if (!isPlainObject(schema)) return false;
  if (schema.format === 'binary' || typeof schema.contentMediaType === 'string') return true;
  if (isPlainObject(schema.properties) && 'base64' in schema.properties) return true;
  return [schema.anyOf, schema.oneOf].some((branches) => Array.isArray(branches) && branches.some(isBinarySchema));
}

/**
 * The `body` argument as the operation's media type wants it. `bodySchema` is the argument's own
 * schema in the operation's inputSchema: it tells a binary property given as text (sent as a file
 * part) from a text field. Throws ArgumentRefused for a body the type cannot carry.
 */
export function encodeBody(spec: BodySpec, value: unknown, bodySchema: unknown): EncodedBody {
  const mediaType = (spec.mediaType ?? 'application/json').trim();
  const essence = mediaType.split(';')[0]!.trim().toLowerCase();
  if (isJson(essence)) return { body: JSON.stringify(value), contentType: mediaType };
  if (essence === 'application/x-www-form-urlencoded') return { body: formBody(value, spec.encoding ?? {}), contentType: mediaType };
  if (essence === 'multipart/form-data') return { body: multipartBody(value, spec.encoding ?? {}, bodySchema) };
  if (essence.startsWith('text/')) {
    if (typeof value !== 'string') throw new ArgumentRefused('body', `must be a string: the operation takes ${essence}`);
    return { body: value, contentType: mediaType };
  }
  if (essence === 'application/octet-stream') {
    if (typeof value === 'string') return { body: Buffer.from(value, 'utf8'), contentType: mediaType };
    if (isFileArgument(value)) return { body: decodeBase64(value.base64, 'body.base64'), contentType: mediaType };
    throw new ArgumentRefused('body', 'must be a string or { "base64": string }: the operation takes application/octet-stream');
  }
  throw new ArgumentRefused('body', `is of type ${essence}, which the platform cannot send; register the tool again to have the operation listed as skipped`);
}

const FORM_STYLES: ReadonlySet<string> = new Set(['form', 'spaceDelimited', 'pipeDelimited', 'deepObject']);

/** Each property per its encoding's style and explode; an object property with no encoding gets deepObject brackets (`address[city]=Paris`). */
function formBody(value: unknown, encoding: Record<string, Encoding>): string {
  if (!isPlainObject(value)) throw new ArgumentRefused('body', 'must be an object: the operation takes application/x-www-form-urlencoded');
  return Object.entries(value)
    .flatMap(([name, property]) => {
      const style = encoding[name]?.style ?? (isPlainObject(property) ? 'deepObject' : 'form');
      if (!FORM_STYLES.has(style)) throw new ArgumentRefused(`body.${name}`, `has encoding style ${style}, which a form body cannot carry (form, spaceDelimited, pipeDelimited or deepObject)`);
      const explode = encoding[name]?.explode ?? (style === 'form' || style === 'deepObject');
      try {
        return serializeParameter(name, property, { style: style as ParameterStyle, explode });
      } catch (error) {
        if (error instanceof ArgumentRefused) throw new ArgumentRefused(`body.${error.argument}`, error.why);
        throw error;
      }
    })
    .filter((piece) => piece !== '')
    .join('&');
}

/** The first of an encoding's content types ("image/png, image/jpeg" allows either; either will do). */
const firstType = (contentType: string | undefined) => contentType?.split(',')[0]?.trim() || undefined;

/**
 * Each property a part: text fields as they are, files as file parts (named by the argument or
 * the property), objects and arrays of objects as JSON parts, arrays of scalars or files as
 * repeated parts. A per-property `encoding.contentType` sets a part's type. FormData writes a
 * filename for every part with a type ("blob" when none is given): servers read such a part as
 * a file, which is what an upload of JSON or a typed part is to them too.
 */
function multipartBody(value: unknown, encoding: Record<string, Encoding>, bodySchema: unknown): FormData {
  if (!isPlainObject(value)) throw new ArgumentRefused('body', 'must be an object: the operation takes multipart/form-data');
  const properties = isPlainObject(bodySchema) && isPlainObject(bodySchema.properties) ? bodySchema.properties : {};
  const form = new FormData();
  const appendPart = (name: string, part: unknown, argument: string, binary: boolean) => {
    const declared = firstType(encoding[name]?.contentType);
    if (declared !== undefined && UNSENDABLE.test(declared)) throw new ArgumentRefused(argument, 'has a content type holding a CR, LF or NUL');
    if (isFileArgument(part)) {
      if ([part.filename, part.contentType].some((text) => text !== undefined && UNSENDABLE.test(text))) throw new ArgumentRefused(argument, 'has a filename or contentType holding a CR, LF or NUL, which a part header cannot carry');
      const bytes = decodeBase64(part.base64, `${argument}.base64`);
      form.append(name, new Blob([bytes], { type: part.contentType ?? declared ?? 'application/octet-stream' }), part.filename ?? name);
    } else if (part !== null && typeof part === 'object') {
      form.append(name, new Blob([JSON.stringify(part)], { type: declared ?? 'application/json' }));
    } else {
      const text = part === null ? '' : String(part);
      if (binary) form.append(name, new Blob([text], { type: declared ?? 'application/octet-stream' }), name);
      else if (declared !== undefined && !/^text\/plain\b/i.test(declared)) form.append(name, new Blob([text], { type: declared }));
      else form.append(name, text);
    }
  };
  for (const [name, property] of Object.entries(value)) {
    if (property === undefined) continue;
    const schema = properties[name];
    const itemsSchema = isPlainObject(schema) ? schema.items : undefined;
    const repeated = Array.isArray(property) && property.every((item) => item === null || typeof item !== 'object' || isFileArgument(item));
    if (repeated) property.forEach((item, index) => appendPart(name, item, `body.${name}[${index}]`, isBinarySchema(itemsSchema)));
    else appendPart(name, property, `body.${name}`, isBinarySchema(schema));
  }
  return form;
}
