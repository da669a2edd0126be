import type { ToolDefinition } from '@agent-orchestrator/contracts';
import { EgressGuard, egressErrorIn } from '@agent-orchestrator/egress';
import { scrubSecrets } from '@agent-orchestrator/pii';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { BrokenCircuitError, ConsecutiveBreaker, circuitBreaker, handleWhen, type CircuitBreakerPolicy } from 'cockatiel';
import pRetry, { AbortError } from 'p-retry';
import type { RequestInit, Response } from 'undici';
import { readAnswer, type AnswerKind } from './answer-reading.js';
import { ArgumentRefused, bodySchemaOf, serializeParameters } from './parameter-style.js';
import { encodeBody, type EncodedBody } from './request-body.js';
import { presentCredentials, presentedSecrets, renewedCredentials, withoutCutCredential, type PresentedCredential } from './credential-presentation.js';

export type { PresentedCredential } from './credential-presentation.js';

type Operation = ToolDefinition['operations'][number];

export interface HttpExecutorOptions {
  /** Per attempt. */
  readonly timeoutMs?: number;
  /** Attempts after the first, for calls that may be repeated. */
  readonly retries?: number;
  readonly minBackoffMs?: number;
  /** JSON and text answers larger than this fail the call, and so do binary ones, which are only hashed. */
  readonly maxResponseBytes?: number;
  /** Consecutive failed calls that open a tool's circuit, and how long it stays open. */
  readonly breakAfter?: number;
  readonly halfOpenAfterMs?: number;
}

/** What a call came to: the response as the agent reads it, or why it failed. */
export type CallOutcome =
  /** `binary`: the bytes of a binary answer, which `output` only describes (type, size, sha256). */
  | { readonly outcome: 'completed'; readonly output: string; readonly status: number; readonly attempts: number; readonly binary?: Buffer }
  | { readonly outcome: 'refused'; readonly reason: string }
  /** `code`: the failure in a short, stable word an SRE filters by (see toolFailureCodeSchema). */
  | { readonly outcome: 'failed'; readonly reason: string; readonly attempts: number; readonly gaveUp: boolean; readonly code: string };

/** An HTTP answer worth another attempt: 408, 425, 429 and 5xx. */
class RetryableStatus extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** A request the egress guard refused: nothing was sent, and no retry can change that. */
class NotSent extends Error {}

/** The API answered 401: a token the platform fetched may be renewed and the call made once more. */
class Unauthorized extends Error {}

/** No answer at all: refused, reset, timed out. Worth another attempt. `code` says which (see failureCode). */
class NetworkFailure extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** The stable code of what made a call fail: what an SRE filters parked calls and dead letters by. */
function failureCode(error: unknown): string {
  if (error instanceof RetryableStatus) return `http-${error.status}`;
  if (error instanceof NetworkFailure) return error.code;
  if (error instanceof BrokenCircuitError) return 'circuit-open';
  const status = error instanceof Error ? /answered (\d{3})/.exec(error.message)?.[1] : undefined;
  return status === undefined ? 'other' : `http-${status}`;
}

/** A socket's error code in the words of failure codes; the timeout is `timeout`. */
function networkCode(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'timeout';
  const code = error instanceof Error ? (error.cause as { code?: string } | undefined)?.code : undefined;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection-refused';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection-reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'dns';
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'timeout';
    default:
      return 'network';
  }
}

const worthRetrying = (error: unknown): boolean => error instanceof RetryableStatus || error instanceof NetworkFailure;

/**
 * Executes registered tools' operations over HTTP. Arguments are validated against the
 * operation's schema before anything is sent; each attempt has a timeout; calls that may be
 * repeated (idempotent methods, and any other method, which is sent with an Idempotency-Key
 * derived from the call) are retried with jittered exponential backoff on network errors,
 * timeouts, 408, 425, 429 and 5xx; nothing else is retried, because nothing else can come out
 * differently: a request that cannot be built (a CR or LF in a header value), a destination the
 * egress guard refuses, any other 4xx, and a 3xx, which is a failure (never followed: the
 * document names the server to call, and a redirect would take the call elsewhere). Each tool has
 * a circuit breaker; responses are size-limited and a JSON response must parse. Every request
 * goes through the egress guard with the tenant's allow-list of the moment.
 */
export class HttpExecutor {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();
  private readonly options: Required<HttpExecutorOptions>;

  constructor(
    options: HttpExecutorOptions = {},
    private readonly egress: EgressGuard = new EgressGuard(),
  ) {
    addFormats.default(this.ajv);
    this.options = { timeoutMs: 10_000, retries: 3, minBackoffMs: 200, maxResponseBytes: 256 * 1024, breakAfter: 5, halfOpenAfterMs: 30_000, ...options };
  }

  /**
   * When the API answers 401 and a credential is a token the platform fetched, that token is
   * renewed and the call made once more, with the same Idempotency-Key; a second 401 is the answer.
   */
  async call(
    key: { tenantId: string; tool: string; version: number },
    definition: ToolDefinition,
    operation: Operation,
    argumentsJson: string,
    idempotencyKey: string,
    credentials: readonly PresentedCredential[] = [],
    /** The tenant's egress allow-list, as it stands now. */
    egressAllow: readonly string[] = [],
  ): Promise<CallOutcome> {
    const { unauthorized, ...first } = await this.callPresenting(key, definition, operation, argumentsJson, idempotencyKey, credentials, egressAllow);
    if (!unauthorized || first.outcome !== 'failed' || !credentials.some((credential) => credential.renew)) return first;
    let renewed: PresentedCredential[];
    try {
      renewed = await renewedCredentials(credentials);
    } catch (error) {
      return withoutCredentials({ ...first, reason: `${first.reason}; a new access token could not be fetched: ${(error as Error).message}` }, credentials);
    }
    const { unauthorized: _again, ...second } = await this.callPresenting(key, definition, operation, argumentsJson, idempotencyKey, renewed, egressAllow);
    // The answer may quote the token refused the first time as well as the one presented now.
    return withoutCredentials(second, [...credentials, ...renewed]);
  }

  private async callPresenting(
    key: { tenantId: string; tool: string; version: number },
    definition: ToolDefinition,
    operation: Operation,
    argumentsJson: string,
    idempotencyKey: string,
    credentials: readonly PresentedCredential[],
    egressAllow: readonly string[],
  ): Promise<CallOutcome & { unauthorized?: true }> {
    let args: Record<string, unknown>;
    try {
      args = JSON.parse(argumentsJson) as Record<string, unknown>;
    } catch {
      return { outcome: 'refused', reason: `the arguments are not JSON: ${argumentsJson.slice(0, 200)}` };
    }
    const validate = this.validator(`${key.tenantId}/${key.tool}/${key.version}/${operation.name}`, operation.inputSchema);
    if (!validate(args)) return { outcome: 'refused', reason: `the arguments do not match ${key.tool}.${operation.name}: ${this.ajv.errorsText(validate.errors, { dataVar: 'arguments' })}` };
    if (definition.baseUrl === null) return { outcome: 'refused', reason: `tool ${key.tool} has no absolute server URL to call` };

    const request = buildRequest(definition.baseUrl, operation, args, idempotencyKey, credentials);
    if ('reason' in request) return { outcome: 'refused', reason: request.reason };
    const breaker = this.breaker(`${key.tenantId}/${key.tool}`);
    let attempts = 0;
    try {
      const checkResponse = (status: number, body: unknown) => {
        const schema = operation.responseSchemas?.[String(status)] ?? operation.responseSchemas?.[`${String(status)[0]}XX`];
        if (schema === undefined) return undefined;
        const validate = this.validator(`${key.tenantId}/${key.tool}/${key.version}/${operation.name}/response/${status}`, schema);
        return validate(body) ? undefined : this.ajv.errorsText(validate.errors, { dataVar: 'response' });
      };
      const { status, output, binary } = await breaker.execute(() =>
        pRetry(
          async () => {
            attempts++;
            return this.attempt(request, egressAllow, checkResponse);
          },
          {
            retries: this.options.retries,
            minTimeout: this.options.minBackoffMs,
            factor: 2,
            randomize: true,
            shouldRetry: ({ error }) => worthRetrying(error),
          },
        ),
      );
      return withoutCredentials({ outcome: 'completed', output, status, attempts, ...(binary ? { binary } : {}) }, credentials);
    } catch (error) {
      if (error instanceof NotSent) return withoutCredentials({ outcome: 'refused', reason: error.message }, credentials);
      const code = failureCode(error);
      if (error instanceof BrokenCircuitError) return { outcome: 'failed', reason: `tool ${key.tool} is failing; its circuit is open, calls resume in up to ${this.options.halfOpenAfterMs / 1000} s`, attempts, gaveUp: false, code };
      const reason = error instanceof Error ? error.message : String(error);
      const retried = worthRetrying(error);
      if (error instanceof Unauthorized) return { ...withoutCredentials({ outcome: 'failed', reason, attempts, gaveUp: false, code: 'http-401' }, credentials), unauthorized: true };
      return withoutCredentials({ outcome: 'failed', reason: retried ? `gave up after ${attempts} attempts: ${reason}` : reason, attempts, gaveUp: retried, code }, credentials);
    }
  }

  /** `checkResponse` says what is wrong with a JSON answer, or undefined when it fits its schema. */
  private async attempt(
    request: { url: URL; init: RequestInit },
    egressAllow: readonly string[],
    checkResponse: (status: number, body: unknown) => string | undefined,
  ): Promise<{ status: number; output: string; binary?: Buffer }> {
    const where = `${request.init.method} ${request.url.pathname}`;
    let response: Response;
    let kind: AnswerKind;
    let text: string;
    let bytes: Buffer | undefined;
    try {
      ({ response } = await this.egress.fetch(request.url, { ...request.init, signal: AbortSignal.timeout(this.options.timeoutMs) }, { allow: egressAllow, maxRedirects: 0 }));
      if (response.status >= 300 && response.status < 400) {
        await response.body?.cancel();
        throw new AbortError(`${where} answered ${response.status}, a redirect; tool calls do not follow redirects, so register the tool with the URL of the server that answers`);
      }
      ({ kind, text, bytes } = await readAnswer(response, this.options.maxResponseBytes));
    } catch (error) {
      if (error instanceof AbortError) throw error;
      const refused = egressErrorIn(error);
      if (refused) throw new NotSent(refused.message);
      // fetch says "fetch failed" when the network did; any other TypeError is a request it would not build.
      if (error instanceof TypeError && error.message !== 'fetch failed') throw new NotSent(`the request could not be built: ${error.message}`);
      throw new NetworkFailure(`${where} got no answer: ${networkReason(error, this.options.timeoutMs)}`, networkCode(error));
    }
    if (response.status === 408 || response.status === 425 || response.status === 429 || response.status >= 500) throw new RetryableStatus(`${where} answered ${response.status}: ${text.slice(0, 300)}`, response.status);
    if (response.status === 401) throw new AbortError(new Unauthorized(`${where} answered 401: ${text.slice(0, 300)}`));
    if (response.status >= 400) throw new AbortError(`${where} answered ${response.status}: ${text.slice(0, 300)}`);
    if (kind === 'json' && text.length > 0) {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new AbortError(`${where} answered ${response.status} with a body that is not the JSON it declares`);
      }
      const problem = checkResponse(response.status, body);
      if (problem !== undefined) throw new AbortError(`${where} answered ${response.status} with a body that does not match the document: ${problem}`);
    }
    return { status: response.status, output: text, ...(bytes ? { binary: bytes } : {}) };
  }

  private validator(key: string, schema: Record<string, unknown>): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.validators.set(key, validate);
    }
    return validate;
  }

  private breaker(key: string): CircuitBreakerPolicy {
    let breaker = this.breakers.get(key);
    if (!breaker) {
      // Only failures of the tool itself count; a refused request says nothing about its health.
      breaker = circuitBreaker(handleWhen(worthRetrying), { halfOpenAfter: this.options.halfOpenAfterMs, breaker: new ConsecutiveBreaker(this.options.breakAfter) });
      this.breakers.set(key, breaker);
    }
    return breaker;
  }
}

/** The request, or why it cannot be sent at all (which no retry would change). */
function buildRequest(
  baseUrl: string,
  operation: Operation,
  args: Record<string, unknown>,
  idempotencyKey: string,
  credentials: readonly PresentedCredential[],
): { url: URL; init: RequestInit } | { reason: string } {
  const url = new URL(baseUrl);
  const headers: Record<string, string> = { accept: 'application/json, text/plain;q=0.9, */*;q=0.1' };
  let serialized: ReturnType<typeof serializeParameters>;
  let encodedBody: EncodedBody | undefined;
  try {
    serialized = serializeParameters(operation, args);
    encodedBody = operation.body && args.body !== undefined ? encodeBody(operation.body, args.body, bodySchemaOf(operation)) : undefined;
  } catch (error) {
    if (error instanceof ArgumentRefused) return { reason: error.message };
    throw error;
  }
  Object.assign(headers, serialized.headers);
  if (serialized.cookies.length > 0) headers.cookie = serialized.cookies.join('; ');
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${serialized.path}`;
  if (!operation.idempotent) headers['idempotency-key'] = idempotencyKey;
  presentCredentials(url, headers, credentials);
  // Set last, onto what credentials left: assigning url.search keeps each parameter's encoding, where searchParams would write it again its own way.
  url.search = [url.search.slice(1), ...serialized.query].filter((piece) => piece !== '').join('&');
  const body = encodedBody?.body;
  if (encodedBody?.contentType !== undefined) headers['content-type'] = encodedBody.contentType;
  // Named, never quoted: the value may be a credential.
  const unsendable = Object.entries(headers).find(([, value]) => /[\r\n\0]/.test(value));
  if (unsendable) return { reason: `the value of header ${unsendable[0]} holds a CR, LF or NUL, which HTTP does not allow` };
  return { url, init: { method: operation.method.toUpperCase(), headers, ...(body === undefined ? {} : { body }), redirect: 'manual' } };
}

/**
 * A server may echo what it was sent (an error page quoting the request, a debug endpoint), and
 * not always as it was sent: each credential is scrubbed from the answer in any letter case, hex,
 * base64 or base64url, URL-encoded and JSON-escaped (scrubSecrets). Basic credentials are scrubbed
 * as the `user:password` pair and as the password alone (the user name is no secret). A reason
 * quotes an answer cut to a length: a credential cut off at its end is replaced too.
 */
function withoutCredentials(outcome: CallOutcome, credentials: readonly PresentedCredential[]): CallOutcome {
  const secrets = presentedSecrets(credentials);
  if (secrets.length === 0) return outcome;
  const scrub = (text: string) => withoutCutCredential(scrubSecrets(text, secrets).text, secrets);
  return outcome.outcome === 'completed' ? { ...outcome, output: scrub(outcome.output) } : { ...outcome, reason: scrub(outcome.reason) };
}

/** Why fetch got no answer, in words: the socket's error code, or the timeout. */
function networkReason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
