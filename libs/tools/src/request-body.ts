import type { JsonSchema } from './openapi-tool.js';

export interface RawRequestBody {
  readonly required?: boolean;
  readonly description?: string;
  readonly content?: Record<string, { schema?: JsonSchema; encoding?: Record<string, RawEncoding> }>;
}

interface RawEncoding {
  readonly contentType?: string;
  readonly style?: string;
  readonly explode?: boolean;
}

/** How the executor sends a body, and the JSON Schema of the `body` argument a model gives. */
export interface CompiledBody {
  readonly body: { readonly required: boolean; readonly mediaType: string; readonly encoding?: Readonly<Record<string, RawEncoding>> };
  readonly schema: JsonSchema;
}

type Kind = 'json' | 'form' | 'multipart' | 'text' | 'octet-stream';

/** The kinds of body the executor can send, in the order one is chosen when a body offers several. */
const kinds: readonly { readonly kind: Kind; readonly matches: (type: string) => boolean }[] = [
  { kind: 'json', matches: (type) => /^application\/([a-z0-9.+-]*\+)?json$/.test(type) },
  { kind: 'form', matches: (type) => type === 'application/x-www-form-urlencoded' },
  { kind: 'multipart', matches: (type) => type === 'multipart/form-data' },
  { kind: 'text', matches: (type) => /^text\/[a-z0-9.+-]+$/.test(type) },
  { kind: 'octet-stream', matches: (type) => type === 'application/octet-stream' },
];

/** A file given as base64, with what the server is told about it. */
const base64File: JsonSchema = {
  type: 'object',
  properties: {
    base64: { type: 'string', description: 'The content, base64-encoded.' },
    filename: { type: 'string' },
    contentType: { type: 'string' },
  },
  required: ['base64'],
  additionalProperties: false,
};

/**
 * A file an earlier tool call answered with: the `sha256` its binary answer showed
 * (`{"binary": {..., "sha256"}}`). The platform kept the bytes and sends them here.
 */
const answerReference: JsonSchema = { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'The sha256 of an earlier binary tool answer, to send its bytes.' };
const answerFile: JsonSchema = {
  type: 'object',
  properties: {
    answer: answerReference,
    filename: { type: 'string' },
    contentType: { type: 'string' },
  },
  required: ['answer'],
  additionalProperties: false,
};

/**
 * The body's kind and argument schema, or why it cannot be sent. When the document offers several
 * media types the first supported kind wins (JSON first, as models write JSON best).
 */
export function compileRequestBody(requestBody: RawRequestBody): CompiledBody | { readonly reason: string } {
  const content = requestBody.content ?? {};
  const offered = Object.keys(content);
  for (const { kind, matches } of kinds) {
    const mediaType = offered.find((type) => matches(type.split(';')[0]!.trim().toLowerCase()));
    if (mediaType === undefined) continue;
    const media = content[mediaType]!;
    const schema = described(argumentSchema(kind, media.schema ?? {}), requestBody.description);
    const encoding = kind === 'form' || kind === 'multipart' ? encodingOf(media.encoding) : undefined;
    return { body: { required: requestBody.required ?? false, mediaType, ...(encoding ? { encoding } : {}) }, schema };
  }
  return {
    reason: `its request body is ${offered.join(', ') || 'without a media type'}; supported are JSON (and +json types), application/x-www-form-urlencoded, multipart/form-data, text/* and application/octet-stream.`,
  };
}

function argumentSchema(kind: Kind, schema: JsonSchema): JsonSchema {
  switch (kind) {
    case 'json':
      return schema;
    case 'form':
      return schema.type === undefined && schema.properties === undefined ? { ...schema, type: 'object' } : schema;
    case 'multipart':
      return multipartSchema(schema);
    case 'text':
      return { type: 'string', ...(typeof schema.description === 'string' ? { description: schema.description } : {}) };
    case 'octet-stream':
      return {
        anyOf: [
          { type: 'string', description: 'The content as text.' },
          { type: 'object', properties: { base64: { type: 'string', description: 'The content, base64-encoded.' } }, required: ['base64'], additionalProperties: false },
          { type: 'object', properties: { answer: answerReference }, required: ['answer'], additionalProperties: false },
        ],
      };
    default: {
      const unknownKind: never = kind;
      throw new Error(`unknown body kind ${String(unknownKind)}`);
    }
  }
}

/** The object schema with each binary property (and array of them) accepting text or a base64 file. */
function multipartSchema(schema: JsonSchema): JsonSchema {
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (properties === undefined) return schema.type === undefined ? { ...schema, type: 'object' } : schema;
  const file = (property: JsonSchema): JsonSchema => ({
    anyOf: [{ type: 'string', description: 'The content as text.' }, base64File, answerFile],
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
  });
  const converted: Record<string, JsonSchema> = {};
  for (const [name, property] of Object.entries(properties)) {
    const items = property.items as JsonSchema | undefined;
    if (isBinary(property)) converted[name] = file(property);
    else if (property.type === 'array' && items !== undefined && isBinary(items)) converted[name] = { ...property, items: file(items) };
    else converted[name] = property;
  }
  return { ...schema, properties: converted };
}

function isBinary(schema: JsonSchema): boolean {
  return (schema.type === 'string' && (schema.format === 'binary' || typeof schema.contentMediaType === 'string')) || (schema.type === undefined && typeof schema.contentMediaType === 'string');
}

function encodingOf(raw: Record<string, RawEncoding> | undefined): Record<string, RawEncoding> | undefined {
  if (raw === undefined) return undefined;
  const encoding: Record<string, RawEncoding> = {};
  for (const [name, { contentType, style, explode }] of Object.entries(raw)) {
    encoding[name] = { ...(contentType === undefined ? {} : { contentType }), ...(style === undefined ? {} : { style }), ...(explode === undefined ? {} : { explode }) };
  }
  return Object.keys(encoding).length > 0 ? encoding : undefined;
}

function described(schema: JsonSchema, description: string | undefined): JsonSchema {
  return description === undefined || schema.description !== undefined ? schema : { ...schema, description };
}
