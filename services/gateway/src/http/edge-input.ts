import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GatewayError, type FieldProblem } from '../errors.js';
import { sendProblem } from './problem-details.filter.js';

/**
 * How deep objects and arrays may nest in a body (the body itself is level 1). Nothing the API
 * takes needs more; far deeper values overflow the stack of recursive readers downstream
 * (canonical JSON, hashing), which would answer 5xx to a request that can never succeed.
 */
export const maxNestingDepth = 64;

/** At most this many problems are listed: one bad body must not make a huge answer. */
const maxProblems = 20;

/** PostgreSQL can store neither in text or jsonb, and a lone surrogate is not Unicode at all. */
function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains a NUL character (U+0000), which cannot be stored';
  if (!text.isWellFormed()) return 'contains a lone surrogate: it is not well-formed Unicode';
  return undefined;
}

function pointerTo(path: readonly string[]): string {
  return `#${path.map((segment) => `/${encodeURIComponent(segment.replaceAll('~', '~0').replaceAll('/', '~1'))}`).join('')}`;
}

/**
 * Every string (keys included) that cannot be kept, and the first place nesting passes
 * `maxNestingDepth`. Iterative, so a value nested 100,000 deep is walked without recursion.
 */
export function unsafeInput(value: unknown): { path: string[]; detail: string }[] {
  const problems: { path: string[]; detail: string }[] = [];
  const pending: { value: unknown; path: string[]; depth: number }[] = [{ value, path: [], depth: 0 }];
  while (pending.length > 0 && problems.length < maxProblems) {
    const { value: current, path, depth } = pending.pop()!;
    if (typeof current === 'string') {
      const detail = textProblem(current);
      if (detail !== undefined) problems.push({ path, detail });
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (depth + 1 > maxNestingDepth) {
      problems.push({ path, detail: `nests objects and arrays deeper than ${maxNestingDepth} levels` });
      continue;
    }
    for (const [key, child] of Object.entries(current)) {
      const keyDetail = textProblem(key);
      if (keyDetail !== undefined) problems.push({ path, detail: `has a key that ${keyDetail}` });
      else pending.push({ value: child, path: [...path, key], depth: depth + 1 });
    }
  }
  return problems;
}

function named(problems: readonly FieldProblem[]): string {
  return [...new Set(problems.map((p) => `${p.in === undefined ? '' : `${p.in} `}${p.pointer === '#' ? '(the body itself)' : p.pointer.slice(2)}`))].join(', ');
}

/** The first refusal this request earns: a bad query, path parameter or header, else a bad body. */
export function edgeRefusal(request: Pick<FastifyRequest, 'query' | 'params' | 'headers' | 'body'>): GatewayError | undefined {
  const parameters: FieldProblem[] = [];
  for (const [where, values] of [
    ['path', request.params],
    ['query', request.query],
    ['header', request.headers],
  ] as const) {
    for (const { path, detail } of unsafeInput(values ?? {})) parameters.push({ pointer: pointerTo(path), detail, in: where });
  }
  if (parameters.length > 0) {
    return new GatewayError('InvalidParameter', `The request is not valid: ${named(parameters)}. See "errors" for each one.`, parameters);
  }
  const body = unsafeInput(request.body).map(({ path, detail }) => ({ pointer: pointerTo(path), detail }));
  if (body.length > 0) return new GatewayError('InvalidBody', `The request body is not valid: ${named(body)}. See "errors" for each field.`, body);
  return undefined;
}

/**
 * One check at the edge for every route, Nest's and the WebSocket's: after the body is parsed
 * and before any handler, guard or schema sees the request. Route schemas then check shapes.
 */
export function validateAtTheEdge(fastify: FastifyInstance, maxBodyBytes: number): void {
  fastify.addHook('preValidation', async (request, reply) => {
    const refusal = edgeRefusal(request);
    if (!refusal) return undefined;
    await sendProblem(request, reply, refusal, maxBodyBytes);
    return reply;
  });
}
