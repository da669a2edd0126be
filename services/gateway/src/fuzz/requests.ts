import fc from 'fast-check';

/** What the fuzzer reads of the platform's OpenAPI document: every operation and its parameters. */
export interface Operation {
  readonly method: string;
  /** The path template, e.g. /v1/sessions/{sessionId}. */
  readonly path: string;
  readonly pathParameters: readonly string[];
  readonly queryParameters: readonly string[];
  readonly headerParameters: readonly string[];
  /** Property names of the JSON body's schema, when the operation takes one. */
  readonly bodyProperties: readonly string[] | undefined;
  /** It answers 101: a WebSocket, reached by an upgrade request. */
  readonly upgrades: boolean;
}

interface OpenApiDocument {
  readonly paths: Record<
    string,
    Record<string, { parameters?: { name: string; in: string }[]; requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> }; responses?: Record<string, unknown> }>
  >;
}

export function operationsOf(document: OpenApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => {
      const parameters = operation.parameters ?? [];
      const named = (where: string) => parameters.filter((p) => p.in === where).map((p) => p.name);
      const body = operation.requestBody?.content?.['application/json']?.schema;
      return {
        method: method.toUpperCase(),
        path,
        pathParameters: named('path'),
        queryParameters: named('query'),
        headerParameters: named('header'),
        bodyProperties: operation.requestBody === undefined ? undefined : Object.keys(body?.properties ?? {}),
        upgrades: '101' in (operation.responses ?? {}),
      };
    }),
  );
}

/** Text a hostile or careless client sends. The 1 MB one stays out of URLs (a URL that long is refused by HTTP itself). */
// Text PostgreSQL cannot keep (NUL) or that is not Unicode (lone surrogates) is drawn most often:
// it is what stopped read models before, and must be refused at the edge wherever it is sent.
const unstorableText = fc.constantFrom('\u0000', 'a\u0000b', '\ud800', 'x\udfffy');
const hostileText = fc.oneof({ weight: 2, arbitrary: unstorableText }, { weight: 3, arbitrary: fc.constantFrom(
  '\u202eevil\u202c',
  '../../../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  "'; DROP TABLE sessions; --",
  "1' OR '1'='1",
  '__proto__',
  'constructor',
  '%00',
  '1e309',
  '-1',
  '99999999999999999999999',
  '',
  ' ',
  '💥'.repeat(300),
  'ok',
) });
const hugeText = fc.constant('x'.repeat(1_000_000));

/** A value of any type, hostile where it can be. */
function hostileValue(known: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: hostileText },
    known,
    fc.constantFrom<unknown>(0, -1, 1e308, Number.MAX_SAFE_INTEGER + 2, 3.5, true, false, null),
    // Parsed, so `__proto__` is an own key as a JSON body would carry it, not the object's prototype.
    fc.constantFrom([], {}, ['\u0000'], JSON.parse('{"__proto__": {"admin": true}}') as unknown, { constructor: { prototype: { admin: true } } }),
    fc.dictionary(fc.oneof(hostileText, fc.string()), fc.oneof(hostileText, fc.integer()), { maxKeys: 4 }),
    fc.array(fc.oneof(hostileText, fc.integer()), { maxLength: 4 }),
  );
}

/** Percent-encodes, lone surrogates included (as their WTF-8 bytes), which encodeURIComponent refuses. */
function encodePathSegment(value: string): string {
  return [...value]
    .map((char) => {
      const code = char.charCodeAt(0);
      if (char.length > 1 || code < 0xd800 || code > 0xdfff) return encodeURIComponent(char);
      return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((byte) => `%${byte.toString(16).toUpperCase()}`).join('');
    })
    .join('');
}

const deep = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

export interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  readonly operation: Operation;
  readonly keyName: string;
  readonly headers: Record<string, string>;
  /** JSON text, sent as application/json; undefined sends no body. */
  readonly body: string | undefined;
  /** The values of A's resources this request names, to tell a cross-tenant read. */
  readonly namesKnownIds: boolean;
}

/**
 * Requests derived from the document: an operation, a key, path and query values that are hostile
 * text or ids another key's tenant owns, and a body that is a shape of the operation's schema with
 * hostile values, or text no schema expects (deep nesting, prototype keys, wrong types, 1 MB).
 */
export function fuzzRequests(operations: readonly Operation[], keyNames: readonly string[], knownIds: readonly string[]): fc.Arbitrary<FuzzRequest> {
  const known = fc.constantFrom(...knownIds);
  const segment = fc.oneof(hostileText, known, known);
  return fc
    .record({
      operation: fc.constantFrom(...operations),
      keyName: fc.constantFrom(...keyNames),
      pathValues: fc.array(segment, { minLength: 4, maxLength: 4 }),
      queryValues: fc.array(fc.option(fc.oneof(hostileText, known, fc.nat({ max: 1000 }).map(String)), { nil: undefined }), { minLength: 6, maxLength: 6 }),
      extraQuery: fc.option(fc.tuple(hostileText, hostileText), { nil: undefined }),
      idempotencyKey: fc.option(fc.oneof(hostileText, fc.constant('fuzz-key-1')), { nil: undefined }),
      bodyKind: fc.constantFrom('shape', 'shape', 'shape', 'deep', 'proto', 'huge', 'array', 'scalar', 'none'),
      bodyValues: fc.array(fc.option(hostileValue(known), { nil: undefined }), { minLength: 8, maxLength: 8 }),
      huge: hugeText,
    })
    .map(({ operation, keyName, pathValues, queryValues, extraQuery, idempotencyKey, bodyKind, bodyValues, huge }) => {
      let namesKnownIds = false;
      let index = 0;
      const path = operation.path.replace(/\{\w+\}/g, () => {
        const value = pathValues[index++ % pathValues.length]!;
        if (knownIds.includes(value)) namesKnownIds = true;
        return encodePathSegment(value);
      });
      const query = new URLSearchParams();
      operation.queryParameters.forEach((name, position) => {
        const value = queryValues[position % queryValues.length];
        if (value === undefined) return;
        if (knownIds.includes(value)) namesKnownIds = true;
        query.append(name, value);
      });
      if (extraQuery) query.append(...extraQuery);
      const headers: Record<string, string> = {};
      // Header values are Latin-1 on the wire: hostile text that cannot be sent there is sent percent-encoded.
      if (idempotencyKey !== undefined && operation.headerParameters.includes('Idempotency-Key')) headers['idempotency-key'] = /^[\x20-\x7e]*$/.test(idempotencyKey) ? idempotencyKey : encodePathSegment(idempotencyKey);
      const shape = () => JSON.stringify(Object.fromEntries((operation.bodyProperties ?? ['goal']).map((name, position) => [name, bodyValues[position % bodyValues.length]]).filter(([, value]) => value !== undefined)));
      const bodies: Record<typeof bodyKind, string | undefined> = {
        shape: shape(),
        deep: `{"goal":"g","context":${deep(10_000)},"name":${deep(10_000)}}`,
        proto: '{"__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}},"goal":"g"}',
        // One 1 MB string: the body stays under the 1 MiB limit, so the schema, not the size check, answers.
        huge: JSON.stringify({ [operation.bodyProperties?.[0] ?? 'goal']: huge }),
        array: JSON.stringify([bodyValues[0] ?? null]),
        scalar: JSON.stringify(bodyValues[1] ?? 42),
        none: undefined,
      };
      const search = query.toString();
      const request = { method: operation.method, path: `${path}${search ? `?${search}` : ''}`, operation, keyName, headers, body: operation.bodyProperties === undefined ? undefined : bodies[bodyKind], namesKnownIds };
      // A failing example is printed: a short form, not megabytes of body.
      return Object.assign(request, { [fc.toStringMethod]: () => `${request.method} ${request.path.slice(0, 300)} as ${keyName}, body ${bodyKind}: ${(request.body ?? '(none)').slice(0, 300)}` });
    });
}
