import { HttpException } from '@nestjs/common';
import { sqlState } from '@agent-orchestrator/postgres';
import { STATUS_CODES } from 'node:http';
import { isGatewayError, type FieldProblem, type GatewayError } from '../errors.js';

export const problemContentType = 'application/problem+json';

/** RFC 9457 problem details. `instance` is added by the filter, which knows the request. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly errors?: readonly FieldProblem[];
}

export interface ProblemResponse {
  readonly problem: Problem;
  readonly headers: Readonly<Record<string, string>>;
}

/** Problem types are URNs: stable identifiers that clients compare, not pages to fetch. */
export function problemType(slug: string): string {
  return `urn:agent-orchestrator:problem:${slug}`;
}

const realm = 'Bearer realm="agent-orchestrator"';

/**
 * RFC 6750's error_description is a quoted string of printable ASCII without `"` or `\`; the
 * reason may quote parts of the token (a kid, an issuer), which are the client's text.
 */
function describedRealm(description: string): string {
  const quotable = description.replace(/[^\x20-\x7e]|["\\]/g, "'").slice(0, 300);
  return `${realm}, error="invalid_token", error_description="${quotable}"`;
}

function problem(status: number, slug: string, title: string, detail: string, errors?: readonly FieldProblem[]): Problem {
  return { type: problemType(slug), title, status, detail, ...(errors ? { errors } : {}) };
}

const internalError: ProblemResponse = {
  problem: problem(500, 'internal-error', 'Internal error', 'The gateway failed to handle this request. The failure has been logged.'),
  headers: {},
};

function fromGatewayError(error: GatewayError): ProblemResponse {
  switch (error.code) {
    case 'MissingCredentials':
      return { problem: problem(401, 'missing-credentials', 'API key required', error.message), headers: { 'www-authenticate': realm } };
    case 'InvalidCredentials':
      return {
        problem: problem(401, 'invalid-credentials', 'Invalid API key', error.message),
        headers: { 'www-authenticate': describedRealm(error.message) },
      };
    case 'InvalidToken':
      return { problem: problem(401, 'invalid-token', 'Invalid token', error.message), headers: { 'www-authenticate': describedRealm(error.message) } };
    case 'Forbidden':
      return { problem: problem(403, 'forbidden', 'Not allowed', error.message), headers: {} };
    case 'NotFound':
      return { problem: problem(404, 'not-found', 'Not found', error.message), headers: {} };
    case 'InvalidBody':
      return { problem: problem(422, 'invalid-body', 'Invalid request body', error.message, error.fields), headers: {} };
    case 'InvalidRequest':
      return { problem: problem(400, 'invalid-request', 'Invalid request', error.message, error.fields), headers: {} };
    case 'InvalidParameter':
      return { problem: problem(422, 'invalid-parameter', 'Invalid parameter', error.message, error.fields), headers: {} };
    case 'Conflict':
      return { problem: problem(409, 'conflict', 'Conflict', error.message), headers: {} };
    case 'Gone':
      return { problem: problem(410, 'gone', 'Gone', error.message), headers: {} };
    case 'Unavailable':
      return { problem: problem(503, 'unavailable', 'Service unavailable', error.message), headers: { 'retry-after': '5' } };
    case 'RateLimited':
      return { problem: problem(429, 'rate-limited', 'Too many requests', error.message), headers: error.headers };
    default: {
      const unreachable: never = error.code;
      throw new Error(`unmapped gateway error code ${String(unreachable)}`);
    }
  }
}

/** The code of the Fastify error behind an HttpException, when the platform raised it (body parsing). */
function fastifyCode(exception: HttpException): string | undefined {
  const cause: unknown = exception.cause;
  return typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
}

function fromHttpException(exception: HttpException, maxBodyBytes: number): ProblemResponse {
  const status = exception.getStatus();
  switch (fastifyCode(exception)) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { problem: problem(400, 'malformed-body', 'Malformed JSON', 'The request body is not valid JSON.'), headers: {} };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { problem: problem(400, 'malformed-body', 'Malformed JSON', 'The content type is application/json but the body is empty.'), headers: {} };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { problem: problem(413, 'body-too-large', 'Request body too large', `Request bodies are limited to ${maxBodyBytes} bytes.`), headers: {} };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        problem: problem(415, 'unsupported-media-type', 'Unsupported media type', 'Send request bodies as application/json.'),
        headers: { 'accept-post': 'application/json' },
      };
    default:
      break;
  }
  // A 5xx message may describe internals; Nest and Fastify write their 4xx messages for clients.
  if (status >= 500) return internalError;
  if (status === 404) return { problem: problem(404, 'route-not-found', 'Not found', 'There is no such route.'), headers: {} };
  return { problem: { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail: exception.message }, headers: {} };
}

/**
 * PostgreSQL saying it cannot take the request now rather than that the request is wrong: too
 * many connections (53300), no more resources (53xxx), starting or shutting down (57P01-57P03),
 * the connection lost (08xxx). A client that waits and asks again succeeds; the answer says so.
 */
function databaseBusy(exception: unknown): boolean {
  const state = sqlState(exception);
  return state !== undefined && /^(53|08)[0-9A-Z]{3}$|^57P0[123]$/.test(state);
}

const databaseBusyProblem: ProblemResponse = {
  problem: problem(503, 'unavailable', 'Service unavailable', 'The database cannot take this request now (it is at its connection limit or restarting). Retry after a few seconds.'),
  headers: { 'retry-after': '2' },
};

/** Maps anything a request can throw to a problem. Anything unrecognised is a 500 that says nothing of its cause. */
export function problemFor(exception: unknown, maxBodyBytes: number): ProblemResponse {
  if (isGatewayError(exception)) return fromGatewayError(exception);
  if (exception instanceof HttpException) return fromHttpException(exception, maxBodyBytes);
  if (databaseBusy(exception)) return databaseBusyProblem;
  return internalError;
}
