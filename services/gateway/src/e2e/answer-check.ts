import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The test client's check of every answer against the gateway's own OpenAPI document (served at
 * /docs/json): the status must be documented for the operation, the content type must match and
 * the body must validate against the documented schema. A mismatch throws, so an undocumented or
 * wrong answer fails the spec that received it. Counts go to `.data/answer-checks/<pid>-<uuid>.json`,
 * which scripts/test.sh sums after jest.
 * (one file per loaded copy of this module: jest loads it anew for every spec file of a worker).
 */

interface OpenApiOperation {
  readonly operationId?: string;
  readonly responses: Record<string, { readonly content?: Record<string, { readonly schema?: object }> }>;
}
interface OpenApiDocument {
  readonly paths: Record<string, Record<string, OpenApiOperation>>;
  readonly components?: object;
}

interface Route {
  readonly method: string;
  readonly template: string;
  readonly pattern: RegExp;
  readonly literalSegments: number;
  readonly operation: OpenApiOperation;
}

interface Counts {
  checked: number;
  succeeded: number;
  unmatched: number;
  /** How many operations the largest document checked against has (dev mode's includes the live path). */
  documented: number;
  byOperation: Record<string, number>;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const countsFile = join(process.cwd(), '.data', 'answer-checks', `${process.pid}-${randomUUID()}.json`);
const counts: Counts = { checked: 0, succeeded: 0, unmatched: 0, documented: 0, byOperation: {} };
const documents = new Map<string, Promise<DocumentCheck>>();

class DocumentCheck {
  readonly ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
  private readonly routes: Route[];
  get operations(): number {
    return this.routes.length;
  }
  private readonly validators = new Map<object, ValidateFunction>();

  constructor(private readonly document: OpenApiDocument) {
    this.routes = Object.entries(document.paths).flatMap(([template, item]) =>
      Object.entries(item).map(([method, operation]) => {
        const segments = template.split('/');
        const pattern = new RegExp(`^${segments.map((s) => (/^\{.+\}$/.test(s) ? '[^/]+' : s.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))).join('/')}$`);
        return { method: method.toUpperCase(), template, pattern, literalSegments: segments.filter((s) => !s.startsWith('{')).length, operation };
      }),
    );
  }

  /** The documented route of a request: the one with most literal segments when several match. */
  route(method: string, path: string): Route | undefined {
    return this.routes.filter((r) => r.method === method && r.pattern.test(path)).sort((a, b) => b.literalSegments - a.literalSegments)[0];
  }

  validator(schema: object): ValidateFunction {
    let validate = this.validators.get(schema);
    if (!validate) {
      // The document's components travel with each schema, so its `#/components/...` references resolve.
      validate = this.ajv.compile({ ...schema, components: this.document.components ?? {} });
      this.validators.set(schema, validate);
    }
    return validate;
  }
}

function checkerFor(origin: string): Promise<DocumentCheck> {
  let checker = documents.get(origin);
  if (!checker) {
    checker = fetch(`${origin}/docs/json`).then(async (response) => {
      if (!response.ok) throw new Error(`The answer check could not load ${origin}/docs/json: ${response.status}.`);
      return new DocumentCheck((await response.json()) as OpenApiDocument);
    });
    documents.set(origin, checker);
  }
  return checker;
}

function record(operationId: string | undefined, status: number): void {
  if (operationId === undefined) counts.unmatched += 1;
  else {
    counts.checked += 1;
    if (status >= 200 && status < 300) counts.succeeded += 1;
    counts.byOperation[operationId] = (counts.byOperation[operationId] ?? 0) + 1;
  }
  mkdirSync(join(countsFile, '..'), { recursive: true });
  writeFileSync(countsFile, JSON.stringify(counts));
}

/** Checks one answer of the gateway at `url` against its document; throws naming what does not match. */
export async function checkAnswer(method: string, url: string, response: Response): Promise<void> {
  const { origin, pathname } = new URL(url);
  const checker = await checkerFor(origin);
  const route = checker.route(method.toUpperCase(), pathname);
  const operationId = route?.operation.operationId ?? (route ? `${route.method} ${route.template}` : undefined);
  if (!route) return record(undefined, response.status);
  const text = await response.clone().text();
  const what = `${method.toUpperCase()} ${pathname} (${route.template}, ${operationId}) answered ${response.status}`;
  counts.documented = Math.max(counts.documented, checker.operations);
  {
    const documented = route.operation.responses[String(response.status)];
    if (!documented) throw new Error(`${what}, a status its document does not list (it lists ${Object.keys(route.operation.responses).join(', ')}). Document the answer or fix the route.`);
    const contentType = response.headers.get('content-type')?.split(';')[0]!.trim();
    if (!documented.content) {
      if (text.length > 0) throw new Error(`${what} with a ${contentType} body, but the document says it has none: ${text.slice(0, 200)}`);
    } else {
      const media = contentType === undefined ? undefined : documented.content[contentType];
      if (!media) throw new Error(`${what} as ${contentType ?? 'no content type'}, but the document lists ${Object.keys(documented.content).join(', ')}.`);
      // A file (an NDJSON audit bundle) is checked for its media type; only JSON bodies against a schema.
      if (media.schema && /^application\/(?:[\w.-]+\+)?json$/.test(contentType!)) {
        const validate = checker.validator(media.schema);
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          throw new Error(`${what} with a body that is not JSON: ${text.slice(0, 200)}`);
        }
        if (!validate(body)) {
          throw new Error(`${what} with a body its documented schema refuses: ${checker.ajv.errorsText(validate.errors, { separator: '; ' })}. Body: ${text.slice(0, 500)}`);
        }
      }
    }
  }
  record(operationId, response.status);
}

/** `fetch`, with the answer checked against the gateway's document before it is returned. */
export async function checkedFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(url, init);
  await checkAnswer(init.method ?? 'GET', url, response);
  return response;
}
