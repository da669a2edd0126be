import { isProblem } from '@agent-orchestrator/client';
import type { SchemaError, Validate } from './request-schemas';

/** What is wrong with a request body, by JSON Pointer fragment into it (`#/rules/0/id`), as the API's problem `errors[]` names fields. */
export type FieldErrors = ReadonlyMap<string, string>;

export const noErrors: FieldErrors = new Map();

function words(error: SchemaError): string {
  const { keyword, params } = error;
  switch (keyword) {
    case 'required':
      return 'required';
    case 'minLength':
      return params.limit === 1 ? 'must not be empty' : `at least ${String(params.limit)} characters`;
    case 'maxLength':
      return `at most ${String(params.limit)} characters`;
    case 'pattern':
      return `not in the expected form (${String(params.pattern)})`;
    case 'enum':
      return `one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'additionalProperties':
      return `${String(params.additionalProperty)} is not a field the API knows`;
    case 'minItems':
      return Number(params.limit) === 1 ? 'name at least one' : `at least ${String(params.limit)} items`;
    default:
      return error.message ?? keyword;
  }
}

/** Ajv's errors for `value`, one per field (the first said), keyed by pointer. Empty when the value fits. */
export function schemaErrors(validate: Validate, value: unknown): FieldErrors {
  if (validate(value)) return noErrors;
  const errors = new Map<string, string>();
  for (const error of validate.errors ?? []) {
    // oneOf/anyOf repeat what their branches said, in less useful words.
    if (error.keyword === 'oneOf' || error.keyword === 'anyOf' || error.keyword === 'if') continue;
    const pointer = `#${error.instancePath}${error.keyword === 'required' ? `/${String(error.params.missingProperty)}` : ''}`;
    if (!errors.has(pointer)) errors.set(pointer, words(error));
  }
  return errors;
}

/** The API's 422 `errors[]` as field errors (empty for any other failure). */
export function problemErrors(failure: unknown): FieldErrors {
  if (!isProblem(failure) || failure.errors.length === 0) return noErrors;
  return new Map(failure.errors.filter((problem) => problem.in === undefined).map((problem) => [problem.pointer, problem.detail]));
}

/** The error at a field, or at anything inside it (`#/tools` shows `#/tools/2`'s), in words. */
export function errorAt(errors: FieldErrors, pointer: string): string | undefined {
  const own = errors.get(pointer);
  if (own) return own;
  for (const [at, detail] of errors) {
    if (at.startsWith(`${pointer}/`)) return `${at.slice(pointer.length + 1).replace(/\//g, ' › ')}: ${detail}`;
  }
  return undefined;
}

export function merged(...all: FieldErrors[]): FieldErrors {
  return new Map(all.flatMap((errors) => [...errors]));
}
