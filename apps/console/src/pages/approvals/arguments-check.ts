import { Validator, type OutputUnit, type SchemaDraft } from '@cfworker/json-schema';

/** A problem with edited arguments, at a JSON Pointer into them (`/body/tier`; `` for the whole). */
export interface ArgumentProblem {
  readonly path: string;
  readonly message: string;
}

export type ArgumentsCheck = { readonly ok: true; readonly value: Record<string, unknown> } | { readonly ok: false; readonly problems: readonly ArgumentProblem[] };

/**
 * The schema's dialect from its `$schema`; without one, 2020-12, since the registry takes
 * operations from OpenAPI 3.1 documents, whose schemas are 2020-12.
 */
function draftOf(schema: Record<string, unknown>): SchemaDraft {
  const declared = typeof schema.$schema === 'string' ? schema.$schema : '';
  if (declared.includes('draft-04')) return '4';
  if (declared.includes('draft-07') || declared.includes('draft-06')) return '7';
  if (declared.includes('2019-09')) return '2019-09';
  return '2020-12';
}

// Keywords that only say "something inside did not match": the inner error says what.
const wrappers = new Set(['properties', 'patternProperties', 'items', 'prefixItems', 'additionalItems', 'allOf', '$ref', 'false', 'dependentSchemas', 'unevaluatedProperties', 'contains']);

function wordsFor(unit: OutputUnit): string {
  const quoted = /"([^"]+)"/.exec(unit.error)?.[1];
  switch (unit.keyword) {
    case 'type':
      return unit.error.replace(/^Instance type "(\w+)" is invalid\. Expected "([^"]+)"\.$/, 'is a $1, but must be a $2.');
    case 'required':
      return quoted ? `must have "${quoted}".` : unit.error;
    case 'additionalProperties':
      return quoted ? `has "${quoted}", which the operation does not take.` : unit.error;
    case 'enum':
      return unit.error.replace(/^Instance does not match any of /, 'must be one of ');
    case 'const':
      return unit.error.replace(/^Instance does not match /, 'must be ');
    default:
      return unit.error.replace(/^Instance /, '');
  }
}

/** `#/body/tier` from the validator becomes `/body/tier`, the JSON Pointer people read in the problem documents too. */
const pointerOf = (instanceLocation: string): string => decodeURIComponent(instanceLocation.replace(/^#/, ''));

/** Parses the editor's text and checks it against the operation's input schema (when the registry gave one). */
export function checkArguments(text: string, inputSchema: Record<string, unknown> | undefined): ArgumentsCheck {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (failure) {
    return { ok: false, problems: [{ path: '', message: `is not JSON: ${failure instanceof Error ? failure.message : String(failure)}` }] };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, problems: [{ path: '', message: 'must be a JSON object of named arguments.' }] };
  }
  if (!inputSchema) return { ok: true, value: value as Record<string, unknown> };
  const result = new Validator(inputSchema as never, draftOf(inputSchema), false).validate(value);
  if (result.valid) return { ok: true, value: value as Record<string, unknown> };
  const seen = new Set<string>();
  const problems = result.errors
    .filter((unit) => !wrappers.has(unit.keyword))
    .map((unit) => ({ path: pointerOf(unit.instanceLocation), message: wordsFor(unit) }))
    .filter((problem) => !seen.has(`${problem.path} ${problem.message}`) && seen.add(`${problem.path} ${problem.message}`));
  return { ok: false, problems: problems.length > 0 ? problems : [{ path: '', message: 'do not match the operation\'s input schema.' }] };
}
