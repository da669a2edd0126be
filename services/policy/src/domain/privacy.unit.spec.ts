import { eventCatalog, type EventEnvelope, type UpdatePrivacy } from '@agent-orchestrator/contracts';
import { privacyDecider } from './privacy.js';

const command = (settings: UpdatePrivacy['settings'], eventId: string): UpdatePrivacy => ({
  type: 'UpdatePrivacy',
  settings,
  metadata: { tenantId: 'acme', correlationId: 'c-1', causationId: 'c-1', actor: { kind: 'user', id: 'key-admin' }, now: '2026-11-22T08:00:00.000Z', traceparent: null, eventIds: [eventId] },
});

describe('a tenant privacy setting', () => {
  it('given none, makes version 1; given version 1, makes version 2 with what was sent', () => {
    const [first] = privacyDecider.decide(command({ redact: 'off' }, '0b7c6a3e-5d1f-4c1e-9a1b-000000000101'), privacyDecider.initialState());
    expect(first).toMatchObject({ type: 'PrivacyUpdated', data: { version: 1, settings: { redact: 'off' } } });
    expect(eventCatalog.validateNewEvent(first)).toEqual({ ok: true });
    const afterFirst = privacyDecider.evolve(privacyDecider.initialState(), first as EventEnvelope);
    expect(afterFirst).toEqual({ version: 1, settings: { redact: 'off' }, updatedAt: '2026-11-22T08:00:00.000Z' });
    const [second] = privacyDecider.decide(command({ redact: ['email', 'card'] }, '0b7c6a3e-5d1f-4c1e-9a1b-000000000102'), afterFirst);
    expect(second).toMatchObject({ data: { version: 2, settings: { redact: ['email', 'card'] } } });
  });

  it('before any setting, is the operator default', () => {
    expect(privacyDecider.initialState()).toEqual({ version: 0, settings: { redact: 'default' }, updatedAt: null });
  });
});
