import { Query, type PipeTransform } from '@nestjs/common';
import { ApiQuery, type SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';
import { GatewayError } from '../errors.js';
import { fieldProblems } from './valid-body.js';

/** A `z.strictObject(...)` of query parameters, each a string as sent or coerced from one. */
export type StrictQuerySchema = z.ZodObject<z.ZodRawShape, z.core.$strict>;

class QueryPipe implements PipeTransform {
  constructor(private readonly schema: StrictQuerySchema) {}

  transform(value: unknown): unknown {
    const parsed = this.schema.safeParse(value ?? {});
    if (parsed.success) return parsed.data;
    throw new GatewayError('InvalidRequest', 'The query string is not valid. See "errors" for each parameter.', fieldProblems(parsed.error));
  }
}

/** Each parameter as OpenAPI describes it, from the schema the pipe validates with, so they cannot drift. */
export function queryParametersOf(schema: StrictQuerySchema): { name: string; required: boolean; description?: string; schema: SchemaObject }[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const { description, ...jsonSchema } = z.toJSONSchema(field, { io: 'input', unrepresentable: 'any' }) as SchemaObject & { $schema?: string };
    delete jsonSchema.$schema;
    return { name, required: !z.safeParse(field, undefined).success, ...(description === undefined ? {} : { description }), schema: jsonSchema };
  });
}

/**
 * The handler parameter is the query string parsed by `schema` (an unknown parameter or a bad
 * value is a 400 naming it), and every parameter is listed in the OpenAPI document.
 */
export function ValidQuery(schema: StrictQuerySchema): ParameterDecorator {
  if (schema.def.catchall?._zod.def.type !== 'never') throw new Error('ValidQuery takes a z.strictObject(...) schema, so unknown parameters are refused');
  const query = Query(new QueryPipe(schema));
  return (target, propertyKey, index) => {
    query(target, propertyKey, index);
    if (propertyKey === undefined) return;
    const descriptor = Object.getOwnPropertyDescriptor(target, propertyKey)!;
    for (const parameter of queryParametersOf(schema)) ApiQuery(parameter)(target, propertyKey, descriptor);
  };
}
