import { eventCatalog, requestAuditExportSchema, setAuditRetentionSchema, type CommandMetadata, type EventEnvelope, type NewEvent } from '@agent-orchestrator/contracts';
import { decideAuditTrail, evolveAuditTrail, initialAuditTrail, type AuditTrailCommand } from './audit-trail.js';
import { plusDays } from './calendar.js';

const tenantId = 'acme';
const metadata = (now: string, eventId = '00000000-0000-4000-8000-000000000001'): CommandMetadata => ({
  tenantId,
  correlationId: 'audit-acme',
  causationId: 'cmd-1',
  actor: { kind: 'user', id: 'auditor-1' },
  traceparent: null,
  now,
  eventIds: [eventId],
});
const exportId = '11111111-1111-4111-8111-111111111111';
const keyA = { keyId: 'aaaaaaaaaaaaaaaa', publicKey: 'QUFBQQ==' };
const keyB = { keyId: 'bbbbbbbbbbbbbbbb', publicKey: 'QkJCQg==' };

/** Given these commands' events in the stream, when this command, then these events (each valid in the catalog) or this refusal. */
function given(...history: AuditTrailCommand[]) {
  let version = 0;
  const state = history.reduce((folded, command) => {
    const events = decideAuditTrail(command, folded);
    return events.reduce((next, event) => evolveAuditTrail(next, { ...event, streamId: 'audit-acme', streamVersion: version++, globalPosition: String(version) } as EventEnvelope), folded);
  }, initialAuditTrail());
  return {
    when(command: AuditTrailCommand) {
      return {
        then(...expected: Array<Pick<NewEvent, 'type' | 'data'>>): void {
          const decided = decideAuditTrail(command, state);
          expect(decided.map(({ type, data }) => ({ type, data }))).toEqual(expected);
          for (const event of decided) {
            expect(eventCatalog.validateNewEvent(event)).toEqual({ ok: true });
            expect(event).toMatchObject({ tenantId, occurredAt: command.metadata.now, eventId: command.metadata.eventIds[0] });
          }
        },
        thenError(code: string, message: RegExp): void {
          let thrown: unknown;
          try {
            decideAuditTrail(command, state);
          } catch (error) {
            thrown = error;
          }
          expect(thrown).toMatchObject({ name: 'AuditError', code, message: expect.stringMatching(message) });
        },
      };
    },
  };
}

const request = (now = '2026-11-01T10:00:00.000Z'): AuditTrailCommand => requestAuditExportSchema.parse({ type: 'RequestAuditExport', exportId, range: { from: '2026-01-01T00:00:00Z' }, metadata: metadata(now) });
const activate = (key: typeof keyA, previousKeyId: string | null, now = '2026-10-01T00:00:00.000Z'): AuditTrailCommand => ({
  type: 'ActivateAuditKey',
  ...key,
  previousKeyId,
  endorsement: previousKeyId === null ? null : 'c2lnbmF0dXJl',
  metadata: metadata(now),
});
const complete = (now: string): AuditTrailCommand => ({ type: 'CompleteAuditExport', exportId, treeSize: 7, rootHash: 'ab'.repeat(32), events: 5, bytes: 900, sha256: 'cd'.repeat(32), metadata: metadata(now) });

describe('the audit trail decider', () => {
  it('records an export request once: the same export id again decides nothing', () => {
    given().when(request()).then({ type: 'AuditExportRequested', data: { exportId, range: { from: '2026-01-01T00:00:00Z' } } });
    given(request()).when(request('2026-11-01T10:05:00.000Z')).then();
  });

  it('completes a requested export with its expiry at completion plus the retention, once; and fails one only while it runs', () => {
    given(request())
      .when(complete('2026-11-01T10:01:00.000Z'))
      .then({ type: 'AuditExportCompleted', data: { exportId, treeSize: 7, rootHash: 'ab'.repeat(32), events: 5, bytes: 900, sha256: 'cd'.repeat(32), expiresAt: '2027-04-30T10:01:00.000Z' } });
    const longer = setAuditRetentionSchema.parse({ type: 'SetAuditRetention', days: 400, metadata: metadata('2026-10-01T00:00:00.000Z') });
    given(longer, request())
      .when(complete('2026-11-01T10:01:00.000Z'))
      .then({ type: 'AuditExportCompleted', data: expect.objectContaining({ expiresAt: '2027-12-06T10:01:00.000Z' }) });
    given(request(), complete('2026-11-01T10:01:00.000Z')).when(complete('2026-11-01T10:02:00.000Z')).then();
    given(request(), complete('2026-11-01T10:01:00.000Z')).when({ type: 'FailAuditExport', exportId, reason: 'late', metadata: metadata('2026-11-01T10:02:00.000Z') }).then();
    given(request()).when({ type: 'FailAuditExport', exportId, reason: 'the signing key is missing', metadata: metadata('2026-11-01T10:02:00.000Z') }).then({ type: 'AuditExportFailed', data: { exportId, reason: 'the signing key is missing' } });
    given().when(complete('2026-11-01T10:01:00.000Z')).thenError('ExportNotRequested', /never requested by tenant acme/);
  });

  it('activates a first key, then only a key that follows the active one', () => {
    given()
      .when(activate(keyA, null))
      .then({ type: 'AuditKeyActivated', data: { ...keyA, algorithm: 'Ed25519', validFrom: '2026-10-01T00:00:00.000Z', previousKeyId: null, endorsement: null } });
    given(activate(keyA, null))
      .when(activate(keyB, keyA.keyId, '2026-10-02T00:00:00.000Z'))
      .then({ type: 'AuditKeyActivated', data: { ...keyB, algorithm: 'Ed25519', validFrom: '2026-10-02T00:00:00.000Z', previousKeyId: keyA.keyId, endorsement: 'c2lnbmF0dXJl' } });
    given(activate(keyA, null)).when(activate(keyB, null)).thenError('KeyOutOfTurn', /follows no key, but the active key is aaaaaaaaaaaaaaaa/);
    given(activate(keyA, null)).when(activate(keyA, null)).then();
  });

  it('records a checkpoint signed by the active key only', () => {
    const checkpoint = (keyId: string): AuditTrailCommand => ({
      type: 'RecordAuditCheckpoint',
      checkpoint: { treeSize: 3, rootHash: 'ef'.repeat(32), signedAt: '2026-10-03T00:00:00.000Z', keyId, signature: 'c2ln' },
      reason: 'requested',
      metadata: metadata('2026-10-03T00:00:00.000Z'),
    });
    given(activate(keyA, null))
      .when(checkpoint(keyA.keyId))
      .then({ type: 'AuditCheckpointSigned', data: { treeSize: 3, rootHash: 'ef'.repeat(32), signedAt: '2026-10-03T00:00:00.000Z', keyId: keyA.keyId, signature: 'c2ln', reason: 'requested' } });
    given(activate(keyA, null), activate(keyB, keyA.keyId)).when(checkpoint(keyA.keyId)).thenError('UnknownKey', /active key is bbbbbbbbbbbbbbbb/);
    given().when(checkpoint(keyA.keyId)).thenError('UnknownKey', /active key is none/);
  });

  it('sets the retention, and refuses a command without an event id', () => {
    given().when(setAuditRetentionSchema.parse({ type: 'SetAuditRetention', days: 365, metadata: metadata('2026-10-01T00:00:00.000Z') })).then({ type: 'AuditRetentionSet', data: { days: 365 } });
    given().when({ ...request(), metadata: { ...metadata('2026-10-01T00:00:00.000Z'), eventIds: [] } }).thenError('InvalidCommand', /needs an event id/);
  });
});

describe('plusDays', () => {
  it('adds whole days across months, leap days and years, keeping the time as written', () => {
    expect(plusDays('2026-11-01T10:01:00.000Z', 180)).toBe('2027-04-30T10:01:00.000Z');
    expect(plusDays('2028-02-28T23:59:59Z', 1)).toBe('2028-02-29T23:59:59Z');
    expect(plusDays('2027-12-31T00:00:00.5Z', 1)).toBe('2028-01-01T00:00:00.5Z');
    for (const [start, days] of [['2026-03-15T08:00:00.000Z', 36_500], ['1999-12-31T12:00:00.000Z', 365]] as const) {
      expect(plusDays(start, days)).toBe(new Date(Date.parse(start) + days * 86_400_000).toISOString());
    }
    expect(plusDays('not an instant', 1)).toBeUndefined();
  });
});
