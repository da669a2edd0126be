/** The problem types the gateway answers with (RFC 9457 `type`): compare these, not titles or details. */
export const problemTypes = {
  missingCredentials: 'urn:agent-orchestrator:problem:missing-credentials',
  invalidCredentials: 'urn:agent-orchestrator:problem:invalid-credentials',
  invalidToken: 'urn:agent-orchestrator:problem:invalid-token',
  forbidden: 'urn:agent-orchestrator:problem:forbidden',
  notFound: 'urn:agent-orchestrator:problem:not-found',
  routeNotFound: 'urn:agent-orchestrator:problem:route-not-found',
  invalidBody: 'urn:agent-orchestrator:problem:invalid-body',
  invalidRequest: 'urn:agent-orchestrator:problem:invalid-request',
  invalidParameter: 'urn:agent-orchestrator:problem:invalid-parameter',
  malformedBody: 'urn:agent-orchestrator:problem:malformed-body',
  bodyTooLarge: 'urn:agent-orchestrator:problem:body-too-large',
  unsupportedMediaType: 'urn:agent-orchestrator:problem:unsupported-media-type',
  conflict: 'urn:agent-orchestrator:problem:conflict',
  /** Gone for good: an audit export whose retention deleted its bundle (410). */
  gone: 'urn:agent-orchestrator:problem:gone',
  rateLimited: 'urn:agent-orchestrator:problem:rate-limited',
  unavailable: 'urn:agent-orchestrator:problem:unavailable',
  internalError: 'urn:agent-orchestrator:problem:internal-error',
} as const;

export type ProblemType = (typeof problemTypes)[keyof typeof problemTypes];

/** A field the request got wrong: `pointer` is a JSON Pointer fragment (`#/roles/0`) into the body, or into the query, path or headers when `in` says so. */
export interface FieldProblem {
  readonly pointer: string;
  readonly detail: string;
  readonly in?: 'query' | 'path' | 'header';
}

/** Any non-2xx answer of the gateway, as the problem+json it carried (or one made up from the status when the body was not one, e.g. from a proxy). */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';

  constructor(
    readonly status: number,
    /** A URN of `problemTypes`, or `about:blank` for an answer that named no type. */
    readonly type: ProblemType | (string & {}),
    readonly title: string,
    readonly detail: string,
    readonly errors: readonly FieldProblem[] = [],
    /** On 429 and 503: seconds to wait before retrying, from Retry-After. */
    readonly retryAfter?: number,
    /** The request path the gateway named, when it did. */
    readonly instance?: string,
  ) {
    super(`${status} ${title}: ${detail}${errors.length ? ` (${errors.map((e) => `${e.pointer}: ${e.detail}`).join('; ')})` : ''}`);
  }
}

export function isProblem(error: unknown, type?: ProblemType): error is ProblemError {
  return error instanceof Error && error.name === 'ProblemError' && (type === undefined || (error as ProblemError).type === type);
}

/** Retry-After is seconds or an HTTP date; either becomes seconds from `now`. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function fieldProblems(value: unknown): FieldProblem[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const { pointer, detail, in: where } = entry as Record<string, unknown>;
    if (typeof pointer !== 'string' || typeof detail !== 'string') return [];
    return [{ pointer, detail, ...(where === 'query' || where === 'path' || where === 'header' ? { in: where } : {}) }];
  });
}

/** The ProblemError for a non-2xx answer whose body was `body` (the text as received). */
export function problemFrom(status: number, statusText: string, headers: Headers, body: string): ProblemError {
  let parsed: Record<string, unknown> = {};
  try {
    const json: unknown = JSON.parse(body);
    if (typeof json === 'object' && json !== null && !Array.isArray(json)) parsed = json as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's HTML page, an empty body): described from the status below.
  }
  const title = text(parsed.title) ?? (statusText || `HTTP ${status}`);
  const detail = text(parsed.detail) ?? (body.trim().slice(0, 500) || `The server answered ${status} without a problem document.`);
  return new ProblemError(status, text(parsed.type) ?? 'about:blank', title, detail, fieldProblems(parsed.errors), retryAfterSeconds(headers.get('retry-after')), text(parsed.instance));
}

/** Reads a non-2xx response into its ProblemError (the response is cloned, so its body stays readable). */
export async function problemOf(response: Response): Promise<ProblemError> {
  return problemFrom(response.status, response.statusText, response.headers, await response.clone().text());
}
