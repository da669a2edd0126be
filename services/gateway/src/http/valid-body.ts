import { Body, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { GatewayError, type FieldProblem } from '../errors.js';

/**
 * A `z.strictObject(...)`: a body with a field the route does not know is refused, not silently
 * dropped. zod's types do not tell strict from stripping objects, so ValidBody checks at startup.
 */
export type StrictBodySchema = z.ZodObject<z.ZodRawShape, z.core.$strict>;

/** A JSON Pointer (RFC 6901) as a URI fragment, as RFC 9457's examples write them. */
function pointerTo(path: readonly PropertyKey[]): string {
  return `#${path.map((segment) => `/${encodeURIComponent(String(segment).replaceAll('~', '~0').replaceAll('/', '~1'))}`).join('')}`;
}

export function fieldProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ pointer: pointerTo([...issue.path, key]), detail: 'unknown field' }))
      : [{ pointer: pointerTo(issue.path), detail: issue.message }],
  );
}

class StrictBodyPipe implements PipeTransform {
  constructor(
    private readonly schema: StrictBodySchema,
    private readonly optional: boolean,
  ) {}

  transform(value: unknown): unknown {
    const parsed = this.schema.safeParse(value === undefined && this.optional ? {} : value);
    if (parsed.success) return parsed.data;
    const fields = fieldProblems(parsed.error);
    const named = [...new Set(fields.map((f) => (f.pointer === '#' ? '(the body itself)' : f.pointer.slice(2))))];
    throw new GatewayError('InvalidBody', `The request body is not valid: ${named.join(', ')}. See "errors" for each field.`, fields);
  }
}

/**
 * The handler parameter is the request body parsed by `schema`; anything else is a 422 naming
 * each bad field. The schema also reaches the OpenAPI document (Nest's `@Body({ schema })`).
 * With `optional`, a request without a body is read as `{}` (a route whose every field has a default).
 */
export function ValidBody(schema: StrictBodySchema, { optional = false }: { readonly optional?: boolean } = {}): ParameterDecorator {
  if (schema.def.catchall?._zod.def.type !== 'never') throw new Error('ValidBody takes a z.strictObject(...) schema, so unknown fields are refused');
  return Body({ schema, pipes: [new StrictBodyPipe(schema, optional)] });
}
