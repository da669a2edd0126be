import { eventCatalog, type EventEnvelope } from '@agent-orchestrator/contracts';
import { createTestSchema, type TestSchema } from '@agent-orchestrator/testing';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { liveMessageCheck } from '../e2e/live-message-check.js';
import { startGatewayOnLog } from '../gateway-under-test.js';

const fixture = (type: string, version: number): EventEnvelope => JSON.parse(readFileSync(join(import.meta.dirname, `../../../../libs/contracts/fixtures/${type}.v${version}.json`), 'utf8'));

describe('the AsyncAPI document of the live stream', () => {
  let db: TestSchema;
  let gateway: Awaited<ReturnType<typeof startGatewayOnLog>>;
  let served: { status: number; contentType: string | null; text: string };

  beforeAll(async () => {
    db = await createTestSchema('gateway_asyncapi');
    gateway = await startGatewayOnLog(db);
    const answer = await gateway.call('GET', '/docs/asyncapi.json'); // no key: public, like /docs/json
    served = { status: answer.status, contentType: answer.headers.get('content-type'), text: answer.text };
  });
  afterAll(async () => {
    await gateway?.close();
    await db?.dispose();
  });

  it('is served without a key and parses as AsyncAPI 3.0 with no error', async () => {
    expect(served.status).toBe(200);
    expect(served.contentType).toMatch(/^application\/json/);
    const { document, diagnostics } = await new Parser().parse(served.text);
    const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).map((d) => `${d.path.join('.')}: ${d.message}`);
    expect(errors).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    const operation = document!.operations().get('followSession')!;
    expect(operation.action()).toBe('receive');
    expect(operation.channels().all().map((channel) => channel.address())).toEqual(['/v1/sessions/{sessionId}/live']);
    expect(operation.messages().all().map((message) => message.name())).toEqual(['event', 'approval']);
    const alerts = document!.operations().get('followAlerts')!;
    expect(alerts.channels().all().map((channel) => channel.address())).toEqual(['/v1/alerts/live']);
    expect(alerts.messages().all().map((message) => message.name())).toEqual(['following', 'alert']);
  });

  it('would fail on a broken document: the parser reports an operation on a channel that is not there', async () => {
    const broken = JSON.parse(served.text) as { operations: { followSession: { channel: { $ref: string } } } };
    broken.operations.followSession.channel.$ref = '#/channels/nowhere';
    const { diagnostics } = await new Parser().parse(JSON.stringify(broken));
    expect(diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error)).not.toEqual([]);
  });

  it('names the origin it was fetched from as its server, ws for plain HTTP', () => {
    const document = JSON.parse(served.text) as { servers: Record<string, { host: string; protocol: string }> };
    expect(Object.values(document.servers)).toEqual([expect.objectContaining({ host: new URL(gateway.url).host, protocol: 'ws' })]);
  });

  it('carries every type and version of the event catalog as a schema, the event message discriminated over the newest', () => {
    const { components } = JSON.parse(served.text) as { components: { schemas: Record<string, { oneOf?: { $ref: string }[]; properties?: Record<string, unknown> }> } };
    for (const { type, schemaVersion } of eventCatalog.publishedVersions()) expect(Object.keys(components.schemas)).toContain(`${type}.v${schemaVersion}`);
    expect(components.schemas.Event!.oneOf!.map((one) => one.$ref)).toEqual(eventCatalog.types().map((type) => `#/components/schemas/${type}`));
    expect(components.schemas.SessionStarted!.properties).toMatchObject({
      type: { const: 'SessionStarted' },
      schemaVersion: { const: eventCatalog.latestVersion('SessionStarted') },
      data: { $ref: `#/components/schemas/SessionStarted.v${eventCatalog.latestVersion('SessionStarted')}` },
    });
  });

  it('is named in the OpenAPI document, beside which it is served', async () => {
    const openApi = (await gateway.call('GET', '/docs/json')).json as { info: { description: string }; paths: Record<string, { get: { summary: string } }> };
    expect(openApi.info.description).toContain('/docs/asyncapi.json');
    expect(openApi.paths['/v1/sessions/{sessionId}/live']!.get.summary).toContain('/docs/asyncapi.json');
  });

  it('lets the e2e suites\' live check accept every event as the stream sends it, and refuse what it never sends', async () => {
    const check = await liveMessageCheck(gateway.url);
    for (const type of eventCatalog.types()) {
      const latest = eventCatalog.upcast(fixture(type, 1));
      expect({ type, mismatch: check.mismatch({ event: latest }) }).toEqual({ type, mismatch: undefined });
    }
    expect(check.mismatch({ approval: eventCatalog.upcast(fixture('ApprovalGranted', 1)) })).toBeUndefined();
    // An old version is upcast before it is sent: v1 of SessionStarted as such is not a live message.
    expect(check.mismatch({ event: fixture('SessionStarted', 1) })).toMatch(/schemaVersion|constant/);
    expect(check.mismatch({ event: { ...fixture('PlanRequested', 1), data: { planner: 'Planner', attempt: 0 } } })).toMatch(/as "event"/);
    expect(check.mismatch({ event: fixture('PlanRequested', 1), extra: true })).toBeDefined();
    expect(check.mismatch({ snapshot: fixture('PlanRequested', 1) })).toBeDefined();
  });
});
