import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { envelopeSchema, type EventEnvelope } from '../envelope.js';
import { roles } from '../roles.js';
import { approverSchema } from './approval-events.js';
import { eventCatalog } from './event-catalog.js';

const fixturesDir = join(import.meta.dirname, '../../fixtures');
const readFixture = (name: string): EventEnvelope => JSON.parse(readFileSync(join(fixturesDir, name), 'utf8'));
const fixtureName = (type: string, version: number) => `${type}.v${version}.json`;

describe('frozen fixtures', () => {
  const published = eventCatalog.publishedVersions();
  const fixtureFiles = readdirSync(fixturesDir).filter((f) => f.endsWith('.json'));

  it('has exactly one fixture per published (type, version)', () => {
    expect(fixtureFiles.sort()).toEqual(published.map((p) => fixtureName(p.type, p.schemaVersion)).sort());
  });

  it('has not changed since it was captured', () => {
    const manifest = readFileSync(join(fixturesDir, 'FROZEN.sha256'), 'utf8').trim().split('\n');
    const recorded = new Map(manifest.map((line) => line.split(/\s+/).reverse() as [string, string]));
    for (const file of fixtureFiles) {
      const digest = createHash('sha256').update(readFileSync(join(fixturesDir, file))).digest('hex');
      expect({ file, digest }).toEqual({ file, digest: recorded.get(file) });
    }
  });

  it.each(published)('$type v$schemaVersion reads, validates, and upcasts to a valid latest version', ({ type, schemaVersion }) => {
    const fixture = readFixture(fixtureName(type, schemaVersion));
    expect(envelopeSchema.safeParse(fixture).success).toBe(true);
    expect(fixture.schemaVersion).toBe(schemaVersion);
    expect(eventCatalog.validateData(fixture)).toEqual({ ok: true });

    const latest = eventCatalog.upcast(fixture);
    expect(latest.schemaVersion).toBe(eventCatalog.latestVersion(type));
    expect(eventCatalog.validateData(latest)).toEqual({ ok: true });
  });
});

describe('upcasting', () => {
  it('lifts SessionStarted v1 to v3 with empty pin sets and defaults', () => {
    const v1 = readFixture('SessionStarted.v1.json');
    expect(eventCatalog.upcast(v1)).toEqual({
      ...v1,
      schemaVersion: 3,
      data: { goal: 'Summarise open invoices for Q3', context: { region: 'EU' }, constraints: { maxSteps: 5 }, agentVersions: {}, toolVersions: {} },
    });
  });

  it('lifts SessionStarted v2 to v3 with no tools pinned', () => {
    const v2 = readFixture('SessionStarted.v2.json');
    expect(eventCatalog.upcast(v2)).toEqual({ ...v2, schemaVersion: 3, data: { ...(v2.data as object), toolVersions: {} } });
  });

  it('lifts PiiRedacted v1 (a tool answer\'s one field) to v2 with that field as the path of each kind', () => {
    const v1 = readFixture('PiiRedacted.v1.json');
    const { sessionId, runId, callId } = v1.data as Record<string, string>;
    expect(eventCatalog.upcast(v1)).toEqual({
      ...v1,
      schemaVersion: 2,
      data: {
        sessionId,
        runId,
        callId,
        eventType: 'ToolCallCompleted',
        fields: [
          { path: '/output', kind: 'email', count: 2 },
          { path: '/output', kind: 'card', count: 1 },
        ],
        found: { email: 2, card: 1 },
      },
    });
  });

  it('leaves an event already at the latest version untouched', () => {
    const v3 = readFixture('SessionStarted.v3.json');
    expect(eventCatalog.upcast(v3)).toBe(v3);
  });
});

describe('validating a new event', () => {
  const valid = () => {
    const { streamId: _s, streamVersion: _v, globalPosition: _p, ...rest } = readFixture('PlanRequested.v1.json');
    return rest;
  };

  it('accepts a well-formed event', () => {
    expect(eventCatalog.validateNewEvent(valid())).toEqual({ ok: true });
  });

  it('rejects an unknown envelope field, naming it', () => {
    const result = eventCatalog.validateNewEvent({ ...valid(), priority: 'high' });
    expect(result).toEqual({ ok: false, message: expect.stringContaining('priority') });
  });

  it('rejects an unknown data field, naming the type, version and field', () => {
    const result = eventCatalog.validateNewEvent({ ...valid(), data: { planner: 'Planner', attempt: 1, extra: true } });
    expect(result).toEqual({ ok: false, message: expect.stringMatching(/PlanRequested v1 data:.*extra/s) });
  });

  it('rejects data of the wrong type, naming the path', () => {
    const result = eventCatalog.validateNewEvent({ ...valid(), data: { planner: 'Planner', attempt: 0 } });
    expect(result).toEqual({ ok: false, message: expect.stringContaining('attempt') });
  });

  it('rejects an unknown event type and an unpublished version', () => {
    expect(eventCatalog.validateNewEvent({ ...valid(), type: 'PlanMisplaced' })).toEqual({
      ok: false,
      message: expect.stringContaining('unknown event type "PlanMisplaced"'),
    });
    expect(eventCatalog.validateNewEvent({ ...valid(), schemaVersion: 7 })).toEqual({
      ok: false,
      message: 'PlanRequested has no schemaVersion 7; published: 1..1',
    });
  });

  it('rejects a malformed traceparent and a non-UTC timestamp', () => {
    expect(eventCatalog.validateNewEvent({ ...valid(), traceparent: 'abc' })).toMatchObject({ ok: false });
    expect(eventCatalog.validateNewEvent({ ...valid(), occurredAt: '2026-11-22T09:00:00+02:00' })).toMatchObject({ ok: false });
  });
});

describe('who decided an approval', () => {
  it('may carry every role a key can have (a key with all of them can still decide)', () => {
    expect(approverSchema.safeParse({ id: 'key-all', roles: [...roles] }).success).toBe(true);
    expect(approverSchema.safeParse({ id: 'key-odd', roles: ['root'] }).success).toBe(false);
  });
});
