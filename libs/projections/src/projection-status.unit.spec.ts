import { projectionState, type ProjectionStatusRecord } from './projection-status.js';

const now = new Date('2026-11-29T12:00:00.000Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const limits = { stallAfterMs: 10_000, heartbeatStaleAfterMs: 6_000 };
const row = (over: Partial<ProjectionStatusRecord> = {}): Omit<ProjectionStatusRecord, 'state'> => ({
  projection: 'sessions',
  version: 1,
  position: '1',
  lag: 0,
  lagCapped: false,
  eventsPerSecond: 0,
  lastAdvanceAt: ago(60_000),
  behindSince: null,
  quarantined: 0,
  heartbeatAt: ago(1_000),
  operation: null,
  ...over,
});
const rebuilding = { operationId: '00000000-0000-4000-8000-000000000001', kind: 'rebuild', status: 'running', done: 5, total: 10, startedAt: ago(5_000).toISOString(), updatedAt: ago(500).toISOString() } as const;

describe('projection state', () => {
  it('is caught-up when nothing is behind, however long ago it last advanced', () => {
    expect(projectionState(row(), now, limits)).toBe('caught-up');
  });

  it('is running while behind and advancing', () => {
    expect(projectionState(row({ lag: 40, lastAdvanceAt: ago(2_000), behindSince: ago(30_000) }), now, limits)).toBe('running');
  });

  it('is running when it has only just fallen behind after a long quiet time', () => {
    expect(projectionState(row({ lag: 3, lastAdvanceAt: ago(3_600_000), behindSince: ago(1_000) }), now, limits)).toBe('running');
  });

  it('is stalled when behind and the checkpoint has not moved for longer than the limit', () => {
    expect(projectionState(row({ lag: 3, lastAdvanceAt: ago(11_000), behindSince: ago(11_000) }), now, limits)).toBe('stalled');
  });

  it('is stalled when its process stopped reporting, even if the last report said caught-up', () => {
    expect(projectionState(row({ heartbeatAt: ago(7_000) }), now, limits)).toBe('stalled');
  });

  it('is rebuilding while a rebuild runs, and stalled if the process running it is gone', () => {
    expect(projectionState(row({ operation: rebuilding }), now, limits)).toBe('rebuilding');
    expect(projectionState(row({ operation: rebuilding, heartbeatAt: ago(7_000) }), now, limits)).toBe('stalled');
    expect(projectionState(row({ operation: { ...rebuilding, status: 'succeeded' } }), now, limits)).toBe('caught-up');
  });
});
