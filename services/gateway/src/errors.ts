/**
 * A field-level problem in a request: `pointer` is a JSON Pointer, as a URI fragment (`#/roles/0`),
 * into the body, or, when `in` says so, into the query, path parameters or headers as one object
 * (`#/cursor` with `in: "query"`).
 */
export interface FieldProblem {
  readonly pointer: string;
  readonly detail: string;
  readonly in?: 'query' | 'path' | 'header';
}

export type GatewayErrorCode =
  /** No API key was sent. */
  | 'MissingCredentials'
  /** The API key sent is unknown, revoked, or malformed. */
  | 'InvalidCredentials'
  /** An access token or WebSocket ticket was refused; the message says why (expired, wrong audience, unknown key…). */
  | 'InvalidToken'
  /** The caller is authenticated but its roles do not allow the action. */
  | 'Forbidden'
  /** The resource does not exist in the caller's tenant (it may exist in another one: never say so). */
  | 'NotFound'
  /** The request body parsed but does not satisfy the route's schema. */
  | 'InvalidBody'
  /** A header or query parameter is missing or malformed. */
  | 'InvalidRequest'
  /** A query or path parameter or a header holds text no part of the platform may keep (a NUL, a lone surrogate). */
  | 'InvalidParameter'
  /** The request contradicts an earlier one (an Idempotency-Key reused with another body), or the resource is not in a state that allows it yet. */
  | 'Conflict'
  /** The resource existed in the caller's tenant and is gone for good (an audit export past its retention). */
  | 'Gone'
  /** A backing service (Kafka, Postgres) could not take the request now; retrying later may work. */
  | 'Unavailable'
  /** A rate limit is used up; `headers` say which (RateLimit-Policy, RateLimit) and when to retry (Retry-After). */
  | 'RateLimited';

/** The gateway's own failures; the problem+json filter maps each code to an HTTP status. */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';

  constructor(
    readonly code: GatewayErrorCode,
    message: string,
    readonly fields: readonly FieldProblem[] = [],
    /** Response headers the answer must carry besides those of its code. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export function isGatewayError(error: unknown, code?: GatewayErrorCode): error is GatewayError {
  return error instanceof Error && error.name === 'GatewayError' && (code === undefined || (error as GatewayError).code === code);
}
