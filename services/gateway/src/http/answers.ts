import { applyDecorators } from '@nestjs/common';
import { ApiResponse, type ApiResponseOptions } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { z } from 'zod';

type Handler<Answer> = (...args: never[]) => Answer | Promise<Answer>;

/** What a handler may return for a schema: its input type with fields and arrays readonly, since a readonly value is sent the same. */
export type AnswerOf<T> = T extends readonly (infer Item)[] ? readonly AnswerOf<Item>[] : T extends Date ? T : T extends object ? { readonly [K in keyof T]: AnswerOf<T[K]> } : T;

/** A method decorator that only fits a handler whose answer has the type `Answer`. */
export type AnswerDecorator<Answer> = <H extends Handler<Answer>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<H>) => void;

export interface ReturnsOptions {
  readonly description?: string;
  /** Response headers the answer carries (e.g. Location), as OpenAPI header objects. */
  readonly headers?: ApiResponseOptions['headers'];
}

/**
 * Declares a route's successful answer: `schema` is documented in OpenAPI (through Nest's
 * `standardSchema`, so the document is zod's JSON Schema of it) and the compiler checks that the
 * handler returns what the schema describes. One schema, so the document and the code cannot drift;
 * the e2e and integration specs check every answer the platform gives against the document.
 */
export function Returns<S extends z.ZodType>(status: number, schema: S, options: ReturnsOptions = {}): AnswerDecorator<AnswerOf<z.input<S>>> {
  const documented = ApiResponse({
    status,
    description: options.description ?? STATUS_CODES[status] ?? 'Success',
    standardSchema: schema,
    ...(options.headers === undefined ? {} : { headers: options.headers }),
  });
  return (target, key, descriptor) => documented(target, key, descriptor);
}

/** Declares a successful answer without a body (204, or a 202 that says nothing more). */
export function ReturnsNothing(status = 204, options: ReturnsOptions = {}): AnswerDecorator<void> {
  const documented = ApiResponse({ status, description: options.description ?? STATUS_CODES[status] ?? 'Success', ...(options.headers === undefined ? {} : { headers: options.headers }) });
  return (target, key, descriptor) => applyDecorators(documented)(target, key, descriptor);
}

/**
 * An instant: a Date (or already an ISO string) in the handler, an ISO 8601 UTC string on the
 * wire, as JSON.stringify writes a Date. The document shows the wire form.
 */
export const instant = z.codec(z.union([z.date(), z.iso.datetime()]), z.iso.datetime(), {
  decode: (value) => (typeof value === 'string' ? value : value.toISOString()),
  encode: (text) => text,
});
