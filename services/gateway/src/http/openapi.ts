import { applyDecorators } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiBearerAuth, ApiResponse, ApiSecurity, ApiTags, DocumentBuilder, SwaggerModule, type OpenAPIObject, type SchemaObject } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { problemContentType } from './problem.js';

export const bearerScheme = 'bearer';
export const apiKeyHeaderScheme = 'apiKey';

const problemSchemaName = 'Problem';
const problemSchema: SchemaObject = {
  type: 'object',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', description: 'A URN identifying the kind of problem; compare this, not the title.' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string', description: 'The request path.' },
    errors: {
      type: 'array',
      description: 'One entry per invalid field (422 only).',
      items: {
        type: 'object',
        required: ['pointer', 'detail'],
        properties: { pointer: { type: 'string', example: '#/roles/0' }, detail: { type: 'string' } },
      },
    },
  },
};

/** Documents the problem+json answers a route can give. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: STATUS_CODES[status] ?? 'Error',
        content: { [problemContentType]: { schema: { $ref: `#/components/schemas/${problemSchemaName}` } } },
      }),
    ),
  );
}

/** A controller whose routes need an API key or a token: tagged, both ways to send one documented, 401 and 403 listed. */
export function AuthenticatedApi(tag: string): ClassDecorator {
  return applyDecorators(ApiTags(tag), ApiBearerAuth(bearerScheme), ApiSecurity(apiKeyHeaderScheme), ApiProblems(401, 403));
}

/** The live WebSocket is a Fastify route beside Nest's, so Nest cannot see it: described here. */
const liveSessionPath: OpenAPIObject['paths'][string] = {
  get: {
    operationId: 'followSession',
    tags: ['sessions'],
    summary: "A WebSocket (send the upgrade headers): every event of the session in order as {\"event\": <envelope>}, approvals as {\"approval\": <envelope>}, closed with 1000 after the last. Its messages and their schemas: the AsyncAPI document at /docs/asyncapi.json.",
    security: [{ [bearerScheme]: [] }, { [apiKeyHeaderScheme]: [] }, {}],
    parameters: [
      { name: 'sessionId', in: 'path', required: true, description: 'The id POST /v1/sessions answered with.', schema: { type: 'string' } },
      { name: 'fromVersion', in: 'query', required: false, description: 'The streamVersion to start from (default 0).', schema: { type: 'string', pattern: '^\\d{1,9}$' } },
      { name: 'ticket', in: 'query', required: false, description: 'A single-use ticket from POST /v1/ws-tickets: the way for browsers (which cannot set headers on a WebSocket). Sent alone.', schema: { type: 'string' } },
      { name: 'access_token', in: 'query', required: false, description: "An identity provider's access token (a JWT); once, and the same as any header credential.", schema: { type: 'string' } },
      { name: 'apiKey', in: 'query', required: false, description: 'Discouraged, kept for compatibility: an API key in a URL lands in access logs; use a ticket. Once, and the same as any header key.', schema: { type: 'string' } },
    ],
    responses: {
      '101': { description: 'Switching protocols' },
      ...Object.fromEntries([400, 401, 403, 404, 422].map((status) => [String(status), { description: STATUS_CODES[status] ?? 'Error', content: { [problemContentType]: { schema: { $ref: `#/components/schemas/${problemSchemaName}` } } } }])),
    },
  },
};

/** The live alerts WebSocket, a Fastify route too. */
const liveAlertsPath: OpenAPIObject['paths'][string] = {
  get: {
    operationId: 'followAlerts',
    tags: ['alerts'],
    summary:
      "A WebSocket (send the upgrade headers): each AlertRaised and AlertResolved of your tenant as it happens, as {\"alert\": <envelope>}; the platform admin's key follows the platform's own alerts. First {\"following\"}, then no catch-up: read GET /v1/alerts after it. Its messages and their schemas: the AsyncAPI document at /docs/asyncapi.json.",
    security: [{ [bearerScheme]: [] }, { [apiKeyHeaderScheme]: [] }, {}],
    parameters: liveSessionPath.get!.parameters!.filter((parameter) => 'name' in parameter && ['ticket', 'access_token', 'apiKey'].includes(parameter.name)),
    responses: {
      '101': { description: 'Switching protocols' },
      ...Object.fromEntries([400, 401, 403].map((status) => [String(status), { description: STATUS_CODES[status] ?? 'Error', content: { [problemContentType]: { schema: { $ref: `#/components/schemas/${problemSchemaName}` } } } }])),
    },
  },
};

const problemContent = { [problemContentType]: { schema: { $ref: `#/components/schemas/${problemSchemaName}` } } };

/** The fields of draft-ietf-httpapi-ratelimit-headers-10 that rate-limited answers carry (see http/rate-limits.ts). */
const rateLimitHeaders = {
  'RateLimit-Policy': { description: 'The limits that apply, e.g. `"principal";q=600;w=60, "tenant";q=6000;w=60`.', schema: { type: 'string' } },
  RateLimit: { description: 'Where the caller stands in each: remaining requests and seconds until the window frees, e.g. `"principal";r=599;t=42`.', schema: { type: 'string' } },
} as const;

const problemAnswer = (description: string) => ({ description, content: problemContent });

/**
 * Answers any operation can give, added to each here rather than on every controller:
 * - 422: the edge refuses a path parameter, query parameter, header or body holding text that
 *   cannot be stored (a NUL, a lone surrogate) or nesting too deep (http/edge-input.ts), before
 *   any route sees it;
 * - 500: an unexpected failure, as a bare problem that says nothing of the cause;
 * - 400 on every path with a parameter: a path whose percent-encoded bytes are not UTF-8 is
 *   refused before routing (app.ts);
 * - 400, 413 and 415 on every method that carries a body: the body parser refuses malformed JSON,
 *   a body too large and a content type it does not read, whether or not the route takes a body;
 * - 429 on every route that takes a key: a principal's or tenant's rate limit used up, or too many
 *   failed authentications from the caller's address.
 */
function withCommonAnswers(paths: OpenAPIObject['paths']): OpenAPIObject['paths'] {
  const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
  const withBody = ['put', 'post', 'delete', 'patch'];
  const tooMany = { description: 'Too Many Requests: a rate limit is used up; retry after Retry-After seconds', headers: { 'Retry-After': { description: 'Seconds until the limit frees.', schema: { type: 'integer' } }, ...rateLimitHeaders }, content: problemContent };
  return Object.fromEntries(
    Object.entries(paths).map(([path, item]) => [
      path,
      Object.fromEntries(
        Object.entries(item).map(([key, operation]) => {
          if (!(methods as readonly string[]).includes(key)) return [key, operation];
          const responses = (operation as { responses: Record<string, unknown> }).responses;
          const common: Record<string, unknown> = {
            '422': responses['422'] ?? problemAnswer('Unprocessable: a field, parameter or header is not valid, or holds text that cannot be stored'),
            '500': problemAnswer('An unexpected failure; the cause is logged, not told'),
          };
          if (path.includes('{')) common['400'] = responses['400'] ?? problemAnswer('Bad Request: the path cannot be read (percent-encode it as UTF-8), or a parameter is not valid');
          if (withBody.includes(key)) {
            common['400'] = responses['400'] ?? problemAnswer('Bad Request: the body is not JSON');
            common['413'] = responses['413'] ?? problemAnswer('Payload Too Large: the body is longer than the gateway takes');
            common['415'] = responses['415'] ?? problemAnswer('Unsupported Media Type: send the body as application/json');
          }
          if ((operation as { security?: unknown[] }).security?.length) common['429'] = tooMany;
          return [key, { ...operation, responses: { ...responses, ...common } }];
        }),
      ),
    ]),
  );
}

export function openApiDocument(app: NestFastifyApplication, options: { liveSessions: boolean; liveAlerts?: boolean } = { liveSessions: false }): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Agent Orchestrator gateway')
    .setDescription('REST v1. Authenticate with an API key, as "Authorization: Bearer <key>" or "x-api-key: <key>", or with an access token from a configured identity provider as "Authorization: Bearer <token>". Errors are RFC 9457 problem+json. The live WebSocket (GET /v1/sessions/{sessionId}/live) and every event type and version of the catalog are described by the AsyncAPI 3 document at /docs/asyncapi.json.')
    .setVersion('v1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'API key or JWT', description: "An API key, or an access token (JWT) from a configured identity provider." }, bearerScheme)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key', description: 'The same API key in its own header.' }, apiKeyHeaderScheme)
    .build();
  const document = SwaggerModule.createDocument(app, config);
  const paths = { ...document.paths, ...(options.liveSessions ? { '/v1/sessions/{sessionId}/live': liveSessionPath } : {}), ...(options.liveAlerts ? { '/v1/alerts/live': liveAlertsPath } : {}) };
  return { ...document, paths: withCommonAnswers(paths), components: { ...document.components, schemas: { ...document.components?.schemas, [problemSchemaName]: problemSchema } } };
}

/** Serves the UI at /docs and the document at /docs/json. Register before the app is initialised. */
export function serveOpenApi(app: NestFastifyApplication, options: { liveSessions: boolean; liveAlerts?: boolean }): void {
  SwaggerModule.setup('docs', app, () => openApiDocument(app, options), { jsonDocumentUrl: 'docs/json', raw: ['json'] });
}
