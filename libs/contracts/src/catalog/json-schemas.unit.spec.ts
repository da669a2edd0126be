import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventEnvelope } from '../envelope.js';
import { eventCatalog } from './event-catalog.js';
import { catalogJsonSchemas } from './json-schemas.js';

const fixturesDir = join(import.meta.dirname, '../../fixtures');
const readFixture = (type: string, version: number): EventEnvelope => JSON.parse(readFileSync(join(fixturesDir, `${type}.v${version}.json`), 'utf8'));

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
const schemas = catalogJsonSchemas();
const validEnvelope = ajv.compile(schemas.envelope);
const dataSchemaOf = (type: string, version: number) => schemas.events.find((e) => e.type === type && e.schemaVersion === version)?.data;

describe('the catalog as JSON Schemas', () => {
  it('has one data schema for every published (type, version), the newest marked latest', () => {
    expect(schemas.events.map(({ type, schemaVersion }) => ({ type, schemaVersion }))).toEqual(eventCatalog.publishedVersions());
    for (const { type, schemaVersion, latest } of schemas.events) expect({ type, schemaVersion, latest }).toEqual({ type, schemaVersion, latest: schemaVersion === eventCatalog.latestVersion(type) });
  });

  it.each(eventCatalog.publishedVersions())('$type v$schemaVersion: its frozen fixture fits the envelope and the data schema', ({ type, schemaVersion }) => {
    const fixture = readFixture(type, schemaVersion);
    expect(validEnvelope(fixture) ? 'valid' : ajv.errorsText(validEnvelope.errors)).toBe('valid');
    const validData = ajv.compile(dataSchemaOf(type, schemaVersion)!);
    expect(validData(fixture.data) ? 'valid' : ajv.errorsText(validData.errors)).toBe('valid');
  });

  it('refuses what the zod schemas refuse: an envelope field missing or unknown, data of the wrong shape', () => {
    const { eventId: _id, ...withoutId } = readFixture('SessionStarted', 3);
    expect(validEnvelope(withoutId)).toBe(false);
    expect(validEnvelope({ ...readFixture('SessionStarted', 3), priority: 'high' })).toBe(false);
    const validPlanRequested = ajv.compile(dataSchemaOf('PlanRequested', 1)!);
    expect(validPlanRequested({ planner: 'Planner', attempt: 0 })).toBe(false);
    expect(validPlanRequested({ planner: 'Planner', attempt: 1, extra: true })).toBe(false);
    // v1 of SessionStarted had no pins; v3 requires them, as zod does.
    const v1 = readFixture('SessionStarted', 1).data;
    expect(ajv.compile(dataSchemaOf('SessionStarted', 3)!)(v1)).toBe(eventCatalog.validateData({ type: 'SessionStarted', schemaVersion: 3, data: v1 }).ok);
  });

  it('writes draft 7 when asked (AsyncAPI\'s schema format), which a draft 7 validator reads and the fixtures fit', () => {
    const draft7 = catalogJsonSchemas(eventCatalog, { target: 'draft-7' });
    const ajv7 = new Ajv({ strict: false, allErrors: true });
    addFormats.default(ajv7);
    expect(draft7.events.map(({ type, schemaVersion }) => ({ type, schemaVersion }))).toEqual(eventCatalog.publishedVersions());
    for (const { type, schemaVersion, data } of draft7.events) {
      const valid = ajv7.compile(data);
      const fixture = readFixture(type, schemaVersion);
      expect({ type, schemaVersion, errors: valid(fixture.data) ? 'none' : ajv7.errorsText(valid.errors) }).toEqual({ type, schemaVersion, errors: 'none' });
    }
  });
});
