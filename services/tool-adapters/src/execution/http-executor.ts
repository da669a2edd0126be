import type { SecurityScheme, ToolDefinition } from '@agent-orchestrator/contracts';
import { piiKindsFromSetting, scrubSecrets, type PiiKind } from '@agent-orchestrator/pii';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { BrokenCircuitError, ConsecutiveBreaker, circuitBreaker, handleWhen, type CircuitBreakerPolicy } from 'cockatiel';
import pRetry, { AbortError } from 'p-retry';
import { z } from 'zod';

type Operation = ToolDefinition['operations'][number];

/** A credential to present on a call: how, and the secret's value. */
export interface PresentedCredential {
  readonly scheme: SecurityScheme;
  readonly value: string;
}

export interface HttpExecutorOptions {
  /** Per attempt. */
  readonly timeoutMs?: number;
  /** Attempts after the first, for calls that may be repeated. */
  readonly retries?: number;
  readonly minBackoffMs?: number;
  readonly maxResponseBytes?: number;
  /** Consecutive failed calls that open a tool's circuit, and how long it stays open. */
  readonly breakAfter?: number;
  readonly halfOpenAfterMs?: number;
}

const positive = z.coerce.number().int().min(0).optional();
const executorEnv = z.object({
  TOOL_TIMEOUT_MS: positive,
  TOOL_RETRIES: positive,
  TOOL_RETRY_MIN_MS: positive,
  TOOL_MAX_RESPONSE_BYTES: positive,
});

/** TOOL_TIMEOUT_MS, TOOL_RETRIES, TOOL_RETRY_MIN_MS, TOOL_MAX_RESPONSE_BYTES; a bad value names the variable. */
export function executorOptionsFrom(env: Readonly<Record<string, string | undefined>>): HttpExecutorOptions {
  const parsed = executorEnv.safeParse(env);
  if (!parsed.success) throw new Error(`tool-adapters configuration: ${z.prettifyError(parsed.error)}`);
  const { TOOL_TIMEOUT_MS, TOOL_RETRIES, TOOL_RETRY_MIN_MS, TOOL_MAX_RESPONSE_BYTES } = parsed.data;
  return {
    ...(TOOL_TIMEOUT_MS === undefined ? {} : { timeoutMs: TOOL_TIMEOUT_MS }),
    ...(TOOL_RETRIES === undefined ? {} : { retries: TOOL_RETRIES }),
    ...(TOOL_RETRY_MIN_MS === undefined ? {} : { minBackoffMs: TOOL_RETRY_MIN_MS }),
    ...(TOOL_MAX_RESPONSE_BYTES === undefined ? {} : { maxResponseBytes: TOOL_MAX_RESPONSE_BYTES }),
  };
}

const rateLimitEnv = z.object({
  TOOL_TENANT_RATE_LIMIT_PER_MINUTE: z.coerce.number({ error: 'expects a whole number of calls a minute' }).int().min(1).optional(),
  TOOL_RATE_LIMIT_MAX_WAIT_MS: z.coerce.number({ error: 'expects a whole number of milliseconds' }).int().min(0).default(30_000),
});

/** TOOL_TENANT_RATE_LIMIT_PER_MINUTE (unlimited when unset), TOOL_RATE_LIMIT_MAX_WAIT_MS (30 s); a bad value names the variable. */
export function rateLimitOptionsFrom(env: Readonly<Record<string, string | undefined>>): { tenantPerMinute?: number; maxWaitMs: number } {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = rateLimitEnv.safeParse(present);
  if (!parsed.success) throw new Error(`tool-adapters configuration: ${z.prettifyError(parsed.error)}`);
  const { TOOL_TENANT_RATE_LIMIT_PER_MINUTE, TOOL_RATE_LIMIT_MAX_WAIT_MS } = parsed.data;
  return { ...(TOOL_TENANT_RATE_LIMIT_PER_MINUTE === undefined ? {} : { tenantPerMinute: TOOL_TENANT_RATE_LIMIT_PER_MINUTE }), maxWaitMs: TOOL_RATE_LIMIT_MAX_WAIT_MS };
}

/**
 * PII_REDACT: a comma-separated list of the kinds to redact from answers (default every kind:
 * secret, email, iban, card, national_id, phone), or `none`.
 */
export function piiKindsFrom(env: Readonly<Record<string, string | undefined>>): PiiKind[] {
  try {
    return piiKindsFromSetting(env.PII_REDACT);
  } catch (error) {
    throw new Error(`PII_REDACT ${(error as Error).message}`, { cause: error });
  }
}

/** What a call came to: the response as the agent reads it, or why it failed. */
export type CallOutcome =
  | { readonly outcome: 'completed'; readonly output: string; readonly status: number; readonly attempts: number }
  | { readonly outcome: 'refused'; readonly reason: string }
  | { readonly outcome: 'failed'; readonly reason: string; readonly attempts: number; readonly gaveUp: boolean };

/** An HTTP answer worth another attempt: 408, 429 and 5xx. */
class RetryableStatus extends Error {}

/** No answer at all: refused, reset, timed out. Worth another attempt. */
class NetworkFailure extends Error {}

const worthRetrying = (error: unknown): boolean => error instanceof RetryableStatus || error instanceof NetworkFailure;

/**
 * Executes registered tools' operations over HTTP. Arguments are validated against the
 * operation's schema before anything is sent; each attempt has a timeout; calls that may be
 * repeated (idempotent methods, and any other method, which is sent with an Idempotency-Key
 * derived from the call) are retried with jittered exponential backoff on network errors,
 * timeouts, 408, 429 and 5xx; each tool has a circuit breaker; responses are size-limited and a
 * JSON response must parse.
 */
export class HttpExecutor {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();
  private readonly options: Required<HttpExecutorOptions>;

  constructor(options: HttpExecutorOptions = {}) {
    addFormats.default(this.ajv);
    this.options = { timeoutMs: 10_000, retries: 3, minBackoffMs: 200, maxResponseBytes: 256 * 1024, breakAfter: 5, halfOpenAfterMs: 30_000, ...options };
  }

  async call(
    key: { tenantId: string; tool: string; version: number },
    definition: ToolDefinition,
    operation: Operation,
    argumentsJson: string,
    idempotencyKey: string,
    credentials: readonly PresentedCredential[] = [],
  ): Promise<CallOutcome> {
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
    const breaker = this.breaker(`${key.tenantId}/${key.tool}`);
    let attempts = 0;
    try {
      const checkResponse = (status: number, body: unknown) => {
        const schema = operation.responseSchemas?.[String(status)] ?? operation.responseSchemas?.[`${String(status)[0]}XX`];
        if (schema === undefined) return undefined;
        const validate = this.validator(`${key.tenantId}/${key.tool}/${key.version}/${operation.name}/response/${status}`, schema);
        return validate(body) ? undefined : this.ajv.errorsText(validate.errors, { dataVar: 'response' });
      };
      const { status, output } = await breaker.execute(() =>
        pRetry(
          async () => {
            attempts++;
            return this.attempt(request, checkResponse);
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
      return withoutCredentials({ outcome: 'completed', output, status, attempts }, credentials);
    } catch (error) {
      if (error instanceof BrokenCircuitError) return { outcome: 'failed', reason: `tool ${key.tool} is failing; its circuit is open, calls resume in up to ${this.options.halfOpenAfterMs / 1000} s`, attempts, gaveUp: false };
      const reason = error instanceof Error ? error.message : String(error);
      const retried = worthRetrying(error);
      return withoutCredentials({ outcome: 'failed', reason: retried ? `gave up after ${attempts} attempts: ${reason}` : reason, attempts, gaveUp: retried }, credentials);
    }
  }

  /** `checkResponse` says what is wrong with a JSON answer, or undefined when it fits its schema. */
  private async attempt(request: { url: URL; init: RequestInit }, checkResponse: (status: number, body: unknown) => string | undefined): Promise<{ status: number; output: string }> {
    const where = `${request.init.method} ${request.url.pathname}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(request.url, { ...request.init, signal: AbortSignal.timeout(this.options.timeoutMs) });
      text = await readLimited(response, this.options.maxResponseBytes);
    } catch (error) {
      if (error instanceof AbortError) throw error;
      throw new NetworkFailure(`${where} got no answer: ${networkReason(error, this.options.timeoutMs)}`);
    }
    if (response.status === 408 || response.status === 429 || response.status >= 500) throw new RetryableStatus(`${where} answered ${response.status}: ${text.slice(0, 300)}`);
    if (response.status >= 400) throw new AbortError(`${where} answered ${response.status}: ${text.slice(0, 300)}`);
    if (/json/i.test(response.headers.get('content-type') ?? '') && text.length > 0) {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new AbortError(`${where} answered ${response.status} with a body that is not the JSON it declares`);
      }
      const problem = checkResponse(response.status, body);
      if (problem !== undefined) throw new AbortError(`${where} answered ${response.status} with a body that does not match the document: ${problem}`);
    }
    return { status: response.status, output: text };
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

function buildRequest(baseUrl: string, operation: Operation, args: Record<string, unknown>, idempotencyKey: string, credentials: readonly PresentedCredential[]): { url: URL; init: RequestInit } {
  let path = operation.path;
  const url = new URL(baseUrl);
  const headers: Record<string, string> = { accept: 'application/json, text/plain;q=0.9, */*;q=0.1' };
  for (const parameter of operation.parameters) {
    const value = args[parameter.name];
    if (value === undefined) continue;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (parameter.in === 'path') path = path.replace(`{${parameter.name}}`, encodeURIComponent(text));
    else if (parameter.in === 'query') url.searchParams.append(parameter.name, text);
    else headers[parameter.name.toLowerCase()] = text;
  }
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  if (!operation.idempotent) headers['idempotency-key'] = idempotencyKey;
  for (const { scheme, value } of credentials) {
    if (scheme.type === 'bearer') headers.authorization = `Bearer ${value}`;
    else if (scheme.type === 'basic') headers.authorization = `Basic ${Buffer.from(value, 'utf8').toString('base64')}`;
    else if (scheme.in === 'header') headers[scheme.name.toLowerCase()] = value;
    else url.searchParams.set(scheme.name, value);
  }
  const body = operation.body && args.body !== undefined ? JSON.stringify(args.body) : undefined;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return { url, init: { method: operation.method.toUpperCase(), headers, ...(body === undefined ? {} : { body }), redirect: 'manual' } };
}

/**
 * A server may echo what it was sent (an error page quoting the request, a debug endpoint), and
 * not always as it was sent: each credential is scrubbed from the answer in any letter case, hex,
 * base64 or base64url, URL-encoded and JSON-escaped (scrubSecrets). Basic credentials are scrubbed
 * as the `user:password` pair and as the password alone (the user name is no secret).
 */
function withoutCredentials(outcome: CallOutcome, credentials: readonly PresentedCredential[]): CallOutcome {
  const secrets = credentials.flatMap(({ scheme, value }) => (scheme.type === 'basic' ? [value, value.slice(value.indexOf(':') + 1)] : [value]));
  if (secrets.length === 0) return outcome;
  const scrub = (text: string) => scrubSecrets(text, secrets).text;
  return outcome.outcome === 'completed' ? { ...outcome, output: scrub(outcome.output) } : { ...outcome, reason: scrub(outcome.reason) };
}

async function readLimited(response: Response, limit: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength;
    if (size > limit) throw new AbortError(`the response is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Why fetch got no answer, in words: the socket's error code, or the timeout. */
function networkReason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
