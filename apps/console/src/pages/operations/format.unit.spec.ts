import { describeFilter, differingPaths, firstDifferenceOf, formatEta, identicalReplay, items, percentDone, rankedCounts } from './format.js';
import { ago, isStalled, rate } from '../projections/format.js';

describe('how the operations page words an operation', () => {
  it('shows progress as whole percent, and a finished empty operation as done', () => {
    expect(percentDone({ status: 'running', total: 40, done: 10 })).toBe(25);
    expect(percentDone({ status: 'running', total: 3, done: 2 })).toBe(66);
    expect(percentDone({ status: 'planned', total: 0, done: 0 })).toBe(0);
    expect(percentDone({ status: 'completed', total: 0, done: 0 })).toBe(100);
  });

  it('says the time left in minutes and seconds, and nothing without an estimate', () => {
    expect(formatEta(null)).toBeUndefined();
    expect(formatEta(-1)).toBeUndefined();
    expect(formatEta(0.4)).toBe('less than a second left');
    expect(formatEta(42)).toBe('about 42 s left');
    expect(formatEta(130)).toBe('about 2 min 10 s left');
    expect(formatEta(120)).toBe('about 2 min left');
    expect(formatEta(3 * 3600 + 5 * 60)).toBe('about 3 h 5 min left');
  });

  it('ranks counts largest first, ties by name', () => {
    expect(rankedCounts({ crm: 2, billing: 5, auth: 2 })).toEqual([['billing', 5], ['auth', 2], ['crm', 2]]);
    expect(rankedCounts(undefined)).toEqual([]);
    expect(items(1)).toBe('1 item');
    expect(items(1200)).toBe(`${(1200).toLocaleString()} items`);
  });

  it('describes a filter in one line', () => {
    expect(describeFilter({})).toBe('everything');
    expect(describeFilter({ tool: 'crm', code: 'timeout' })).toBe('code timeout, tool crm');
    expect(describeFilter({ ids: ['a', 'b', 'c'] })).toBe('3 chosen items');
    expect(describeFilter({ projection: 'sessions' })).toBe('projection sessions');
    expect(describeFilter({ since: '2026-11-29T10:00:00Z' }, () => 'this morning')).toBe('since this morning');
  });

  it("finds a replay's first difference in an item's detail, nested or flat, and nothing in a plain record", () => {
    const recorded = { type: 'StepScheduled', data: { step: 2, agent: 'Planner' } };
    const replayed = { type: 'StepScheduled', data: { step: 2, agent: 'Executor' } };
    expect(firstDifferenceOf({ firstDifference: { eventType: 'StepScheduled', version: 7, recorded, replayed } })).toEqual({ eventType: 'StepScheduled', version: 7, recorded, replayed });
    expect(firstDifferenceOf({ type: 'X', streamVersion: 3, expected: 1, actual: 2 })).toEqual({ eventType: 'X', version: 3, recorded: 1, replayed: 2 });
    expect(firstDifferenceOf({ reason: 'timeout' })).toBeUndefined();
    expect(firstDifferenceOf('identical')).toBeUndefined();
    expect(differingPaths(recorded, replayed)).toEqual(['data.agent']);
    expect(differingPaths({ a: [1, 2] }, { a: [1, 3], b: true })).toEqual(['a[1]', 'b']);
    expect(differingPaths(1, 1)).toEqual([]);
    expect(differingPaths(1, '1')).toEqual(['(the whole value)']);
    // As the session source reports them: flat, beside `identical`.
    expect(firstDifferenceOf({ identical: false, streamId: 'session-1', version: 9, eventType: 'ReworkRequested', recorded: { data: 1 }, replayed: { data: 2 } })).toEqual({ streamId: 'session-1', version: 9, eventType: 'ReworkRequested', recorded: { data: 1 }, replayed: { data: 2 } });
    expect(identicalReplay({ identical: true, decisions: 14, streams: 3, responsesServed: 3, toolAnswersServed: 1 })).toBe('Identical: 14 decisions, 3 model responses and 1 tool answer served from the log');
    expect(identicalReplay({ identical: false })).toBeUndefined();
  });
});

describe('how the projections page words a projection', () => {
  const now = Date.parse('2026-11-29T12:00:00Z');
  it('says how long ago it last moved', () => {
    expect(ago(null, now)).toBe('never');
    expect(ago('2026-11-29T11:59:48Z', now)).toBe('12 s ago');
    expect(ago('2026-11-29T11:55:00Z', now)).toBe('5 min ago');
    expect(ago('2026-11-29T09:00:00Z', now)).toBe('3 h ago');
  });
  it('reads rates short, and only "stalled" as a stall', () => {
    expect(rate(0)).toBe('0');
    expect(rate(0.42)).toBe('0.4');
    expect(rate(1250.4)).toBe((1250).toLocaleString());
    expect(isStalled('stalled')).toBe(true);
    expect(isStalled('running')).toBe(false);
  });
});
