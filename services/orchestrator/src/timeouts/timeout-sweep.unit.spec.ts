import { stepHolds } from './timeout-sweep.js';

describe('the holds the timeout sweep sends', () => {
  const run = (stepId: string, attempt = 1) => `s-1.step.${stepId}.${attempt}`;

  it('holds a step attempt while any of its calls waits, for a person or parked for an operator', () => {
    expect(stepHolds([{ runId: run('s1'), since: '2026-11-29T11:00:00.000Z' }, { runId: run('s1'), since: null }])).toEqual([{ stepId: 's1', attempt: 1, since: null }]);
  });

  it('counts from the latest release once none waits, attempt by attempt', () => {
    expect(
      stepHolds([
        { runId: run('s1'), since: '2026-11-29T11:00:00.000Z' },
        { runId: run('s1'), since: '2026-11-29T11:05:00.000Z' },
        { runId: run('s1', 2), since: null },
      ]),
    ).toEqual([
      { stepId: 's1', attempt: 1, since: '2026-11-29T11:05:00.000Z' },
      { stepId: 's1', attempt: 2, since: null },
    ]);
  });

  it('leaves plan and review runs out: their timeouts run on', () => {
    expect(stepHolds([{ runId: 's-1.plan.1', since: null }, { runId: 's-1.review.1', since: null }])).toEqual([]);
  });
});
