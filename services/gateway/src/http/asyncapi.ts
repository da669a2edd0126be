import { catalogJsonSchemas, type JsonSchema } from '@agent-orchestrator/contracts';
import type { FastifyInstance } from 'fastify';

/** Where the gateway serves the AsyncAPI document, beside the OpenAPI one at /docs/json. */
export const asyncApiPath = '/docs/asyncapi.json';

/** Where a live client is told it stands: the origin it reached the gateway at. */
export interface GatewayOrigin {
  /** `host[:port]`, as the request named it. */
  readonly host: string;
  /** `wss` when the request came over TLS (or through a trusted proxy that says so), else `ws`. */
  readonly protocol: 'ws' | 'wss';
}

const ref = (to: string) => ({ $ref: to });
const schemaRef = (name: string) => ref(`#/components/schemas/${name}`);
const dataSchemaName = (type: string, schemaVersion: number) => `${type}.v${schemaVersion}`;

/**
 * A schema generated for standalone use keeps what it refers to itself (a recursive JSON value,
 * say) under `definitions`, referred to as `#/definitions/<name>`. Inside the document those
 * references would point at its root, so the definitions move into components.schemas under the
 * schema's own name and the references follow them.
 */
function hoistDefinitions(name: string, schema: JsonSchema): Record<string, JsonSchema> {
  const { definitions, ...rest } = schema as JsonSchema & { definitions?: Record<string, JsonSchema> };
  const rename = (text: string) => text.replaceAll('"$ref":"#/definitions/', `"$ref":"#/components/schemas/${name}.`);
  const hoisted: Record<string, JsonSchema> = { [name]: JSON.parse(rename(JSON.stringify(rest))) as JsonSchema };
  for (const [defined, definition] of Object.entries(definitions ?? {})) hoisted[`${name}.${defined}`] = JSON.parse(rename(JSON.stringify(definition))) as JsonSchema;
  return hoisted;
}

const liveDescription = `Every event of one session, in order, over a WebSocket: the whole log from \`fromVersion\` (default 0), then each event as it is appended. After the session's last event (SessionCompleted, SessionFailed or SessionCancelled) the gateway closes the connection with 1000.

**Resuming.** Events come in streamVersion order with no gaps. A client that lost the connection reconnects with \`fromVersion\` = the last streamVersion it received + 1 and gets the rest, none twice.

**Approvals.** The approvals of the session's tool calls live on their own streams (\`approval-<id>\`) and are announced as they happen as \`{"approval": <envelope>}\`, outside the session's versions: they are not replayed on reconnect (read them with GET /v1/approvals?sessionId=).

**Refusals** come before the upgrade, as an HTTP answer in RFC 9457 problem+json (see the followSession operation of /docs/json): 400 (a query credential sent twice, a ticket sent with another credential, fromVersion not a whole number), 401 (no or an unknown credential, an expired or used ticket, a query credential that differs from the header one), 403 (a role that may not read session logs, a suspended or deleted tenant, the platform admin's key), 404 (no such session in the caller's tenant), 422 (a NUL or lone surrogate in the request), 429 (a rate limit used up).

**Close codes.** 1000: the session has ended, everything was sent. 1011: the session log could not be read; reconnect with fromVersion to resume. 1009: the client sent a message over 64 KiB (the gateway reads none). A gateway shutting down closes without a code (1005 at the client): reconnect with fromVersion.`;

const credentialsDescription = `Authenticate as for REST, with \`Authorization: Bearer <API key or access token>\` or \`x-api-key\`, or, since browsers cannot set headers on a WebSocket, in the query: \`ticket\` (from POST /v1/ws-tickets: single use, 30 seconds, so nothing long-lived lands in a URL or an access log; the way for browsers, sent alone), \`access_token\` (an identity provider's JWT) or \`apiKey\` (discouraged, kept for compatibility: the key lands in proxy and access logs). Each at most once; a query credential and a header credential must be the same.`;

/**
 * The static part of the document, built once from the event catalog: every type's latest data
 * schema, every older version (named `<Type>.v<n>`), the envelope, and the two messages.
 */
function describeLiveSessions() {
  const { envelope, events } = catalogJsonSchemas(undefined, { target: 'draft-7' });
  const latest = events.filter((event) => event.latest);
  const newestVersion = new Map(latest.map((event) => [event.type, event.schemaVersion]));
  const envelopeProperties = (envelope as { properties: Record<string, JsonSchema> }).properties;
  const eventSchemas = Object.fromEntries(
    latest.map(({ type, schemaVersion }) => [
      type,
      {
        ...envelope,
        title: type,
        description: `A ${type} event as the live stream delivers it: schemaVersion ${schemaVersion}, the newest (older versions are upcast on read).`,
        properties: { ...envelopeProperties, type: { const: type }, schemaVersion: { const: schemaVersion }, data: schemaRef(dataSchemaName(type, schemaVersion)) },
      },
    ]),
  );
  const dataSchemas = Object.assign(
    {},
    ...events.map(({ type, schemaVersion, latest: isLatest, data }) =>
      hoistDefinitions(dataSchemaName(type, schemaVersion), {
        ...data,
        title: dataSchemaName(type, schemaVersion),
        description: isLatest
          ? `The data of ${type} at schemaVersion ${schemaVersion}, the newest: what the live stream and the REST reads deliver.`
          : `The data of ${type} at schemaVersion ${schemaVersion}, as it is stored in older logs (an audit export carries it). Never sent live: readers get it upcast to v${newestVersion.get(type)}.`,
      }),
    ),
  ) as Record<string, JsonSchema>;
  const anyEvent = {
    title: 'Event',
    description: 'An event envelope whose data is discriminated by its type, at the newest schemaVersion of that type.',
    discriminator: 'type',
    oneOf: latest.map(({ type }) => schemaRef(type)),
  };
  const envelopeOf = (property: 'event' | 'approval' | 'alert', description: string) => ({
    type: 'object',
    description,
    properties: { [property]: schemaRef('Event') },
    required: [property],
    additionalProperties: false,
  });
  return {
    schemas: { EventEnvelope: { ...envelope, title: 'EventEnvelope', description: 'The envelope every stored event has; data is pinned down by each event type.' }, Event: anyEvent, ...eventSchemas, ...dataSchemas },
    messages: {
      SessionEvent: {
        name: 'event',
        title: 'A session event',
        summary: 'One event of the session log, as {"event": <envelope>}, in streamVersion order, upcast to the newest version of its type.',
        contentType: 'application/json',
        payload: envelopeOf('event', 'One event of the session log (stream session-<sessionId>).'),
      },
      ApprovalEvent: {
        name: 'approval',
        title: 'An approval event',
        summary: 'An event of one of the session\'s approvals (stream approval-<id>: ApprovalRequested, ApprovalVoteRecorded, ApprovalEscalated, ApprovalGranted, ApprovalRejected, ApprovalExpired, and PiiRedacted beside a redacted reason), as {"approval": <envelope>}.',
        contentType: 'application/json',
        payload: envelopeOf('approval', 'One event of an approval of the session, announced as it happens; not replayed on reconnect.'),
      },
      AlertEvent: {
        name: 'alert',
        title: 'An alert raised or resolved',
        summary: 'An AlertRaised or AlertResolved of the caller\'s tenant (the platform admin: of the platform), as {"alert": <envelope>}, as it is appended; not replayed on reconnect.',
        contentType: 'application/json',
        payload: envelopeOf('alert', 'One event of an alert-<id> stream of the followed tenant or of the platform.'),
      },
      AlertsFollowing: {
        name: 'following',
        title: 'Following',
        summary: 'The first message: the socket follows the scope from now on, so a list read after it (GET /v1/alerts or /v1/platform/alerts) misses nothing.',
        contentType: 'application/json',
        payload: {
          type: 'object',
          properties: {
            following: {
              oneOf: [
                { type: 'object', properties: { scope: { const: 'tenant' }, tenantId: { type: 'string' } }, required: ['scope', 'tenantId'], additionalProperties: false },
                { type: 'object', properties: { scope: { const: 'platform' } }, required: ['scope'], additionalProperties: false },
              ],
            },
          },
          required: ['following'],
          additionalProperties: false,
        },
      },
    },
  };
}

const queryString = (description: string) => ({ type: 'string', description });

/** The AsyncAPI 3.0 document of the live session stream, for a client that reached the gateway at `origin`. */
export function asyncApiDocument(origin: GatewayOrigin): Record<string, unknown> {
  const { schemas, messages } = liveSessions();
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Agent Orchestrator live sessions',
      version: 'v1',
      description: `The gateway's live WebSocket: every event of a session in order, then live, and how to resume (see the followSession operation); each event type's data at its newest version, and every older version as <Type>.v<n>, generated from the event catalog. The REST API is described by the OpenAPI document at /docs/json.`,
    },
    defaultContentType: 'application/json',
    servers: {
      gateway: {
        host: origin.host,
        protocol: origin.protocol,
        description: "The gateway's own origin, the one this document was fetched from.",
        security: ['ticket', 'accessToken', 'apiKeyQuery', 'bearer', 'apiKeyHeader'].map((scheme) => ref(`#/components/securitySchemes/${scheme}`)),
      },
    },
    channels: {
      sessionLive: {
        address: '/v1/sessions/{sessionId}/live',
        title: 'A session, live',
        description: credentialsDescription,
        servers: [ref('#/servers/gateway')],
        parameters: { sessionId: { description: 'The session to follow (as POST /v1/sessions answered it).' } },
        messages: { event: ref('#/components/messages/SessionEvent'), approval: ref('#/components/messages/ApprovalEvent') },
        bindings: {
          ws: {
            method: 'GET',
            query: {
              type: 'object',
              properties: {
                fromVersion: { type: 'string', pattern: '^\\d{1,9}$', description: 'The streamVersion to start from (default 0); to resume, the last streamVersion received + 1.' },
                ticket: queryString('A single-use ticket from POST /v1/ws-tickets (30 seconds): the way for browsers. Sent alone.'),
                access_token: queryString("An identity provider's access token (a JWT); once, and the same as any header credential."),
                apiKey: queryString('Discouraged, kept for compatibility: an API key in a URL lands in access logs; use a ticket. Once, and the same as any header key.'),
              },
            },
            headers: {
              type: 'object',
              properties: {
                authorization: queryString('Bearer <API key or access token>, as for REST.'),
                'x-api-key': queryString('An API key, as for REST.'),
              },
            },
            bindingVersion: '0.1.0',
          },
        },
      },
      alertsLive: {
        address: '/v1/alerts/live',
        title: 'Alerts, live',
        description: `${credentialsDescription} A role that may not read alerts is refused with 403 before the upgrade.`,
        servers: [ref('#/servers/gateway')],
        messages: { following: ref('#/components/messages/AlertsFollowing'), alert: ref('#/components/messages/AlertEvent') },
      },
    },
    operations: {
      followAlerts: {
        action: 'receive',
        channel: ref('#/channels/alertsLive'),
        title: 'Follow alerts',
        summary: "Receive {\"following\"} once, then each alert of the caller's tenant (the platform admin's key: the platform's own) as it is raised or resolved.",
        messages: [ref('#/channels/alertsLive/messages/following'), ref('#/channels/alertsLive/messages/alert')],
      },
      followSession: {
        action: 'receive',
        channel: ref('#/channels/sessionLive'),
        title: 'Follow a session',
        summary: 'Receive every event of the session in order, then its approvals as they happen; closed with 1000 after the last event.',
        description: liveDescription,
        messages: [ref('#/channels/sessionLive/messages/event'), ref('#/channels/sessionLive/messages/approval')],
      },
    },
    components: {
      schemas,
      messages,
      securitySchemes: {
        ticket: { type: 'httpApiKey', in: 'query', name: 'ticket', description: 'A single-use ticket from POST /v1/ws-tickets (30 seconds): the way for browsers. Sent alone.' },
        accessToken: { type: 'httpApiKey', in: 'query', name: 'access_token', description: "An identity provider's access token (a JWT) in the query." },
        apiKeyQuery: { type: 'httpApiKey', in: 'query', name: 'apiKey', description: 'Discouraged, kept for compatibility: an API key in a URL lands in proxy and access logs. Use a ticket.' },
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'API key or JWT', description: 'An API key, or an access token (JWT) from a configured identity provider, as for REST.' },
        apiKeyHeader: { type: 'httpApiKey', in: 'header', name: 'x-api-key', description: 'An API key in its own header, as for REST.' },
      },
    },
  };
}

let described: ReturnType<typeof describeLiveSessions> | undefined;
/** The catalog does not change while the process runs: its part of the document is built once. */
function liveSessions(): ReturnType<typeof describeLiveSessions> {
  described ??= describeLiveSessions();
  return described;
}

/** Serves the document at /docs/asyncapi.json, public like /docs/json, naming the origin the request came to. */
export function serveAsyncApi(fastify: FastifyInstance): void {
  fastify.get(asyncApiPath, async (request, reply) => {
    const origin: GatewayOrigin = { host: request.host, protocol: request.protocol === 'https' ? 'wss' : 'ws' };
    return reply.type('application/json; charset=utf-8').send(asyncApiDocument(origin));
  });
}
