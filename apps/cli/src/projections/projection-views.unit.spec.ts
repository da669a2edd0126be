import { projectionTable, type ProjectionRow } from './projection-views.js';

const now = new Date('2026-11-29T12:00:00.000Z');
const row = (over: Partial<ProjectionRow>): ProjectionRow => ({
  projection: 'sessions',
  version: 1,
  position: '00000000000000000042-00000000000000000001',
  lag: 0,
  lagCapped: false,
  eventsPerSecond: 0,
  lastAdvanceAt: '2026-11-29T11:59:30.000Z',
  behindSince: null,
  quarantined: 0,
  heartbeatAt: '2026-11-29T11:59:59.000Z',
  state: 'caught-up',
  operation: null,
  ...over,
});

describe('ao projections list', () => {
  it('prints name, version, position, lag, events/s, last advance, state and quarantined, a capped lag with a plus', () => {
    const table = projectionTable(
      [
        row({}),
        row({ projection: 'approvals', lag: 1000, lagCapped: true, eventsPerSecond: 0, lastAdvanceAt: '2026-11-29T09:00:00.000Z', state: 'stalled', quarantined: 2 }),
      ],
      now,
    ).split('\n');
    expect(table[0]).toMatch(/^NAME\s+VERSION\s+POSITION\s+LAG\s+EVENTS\/S\s+LAST ADVANCE\s+STATE\s+QUARANTINED$/);
    expect(table[1]).toMatch(/^sessions\s+1\s+0+42-0+1\s+0\s+0\s+30s ago\s+caught-up\s+0$/);
    expect(table[2]).toMatch(/^approvals\s+1\s+\S+\s+1000\+\s+0\s+3h ago\s+stalled\s+2$/);
  });

  it('lists the last operation on a projection under the table', () => {
    const operation = { operationId: 'op-1', kind: 'rebuild' as const, status: 'running' as const, done: 500, total: 2000, startedAt: '2026-11-29T11:59:00.000Z', updatedAt: '2026-11-29T11:59:59.000Z' };
    expect(projectionTable([row({ state: 'rebuilding', operation })], now)).toContain('sessions: rebuild op-1 running 500/2000');
  });
});
