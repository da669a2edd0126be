import { amount, periodWords, scopeWords, useOf } from './format.js';

describe('budget words', () => {
  it('writes amounts in their unit', () => {
    expect(amount(12500, 'tokens')).toBe('12,500 tokens');
    expect(amount(3.2, 'usd')).toBe('$3.20');
    expect(amount(0.000125, 'usd')).toBe('$0.000125');
  });

  it('names the scope and the period', () => {
    expect(scopeWords({ kind: 'agent', agent: 'Researcher' })).toBe('Agent Researcher');
    expect(periodWords({ period: 'month', periodStart: '2026-11-01T00:00:00.000Z' })).toBe('this month (UTC, since 2026-11-01)');
  });

  it('warns from 80 % and caps the bar at the limit', () => {
    expect(useOf({ used: 50, reserved: 10, limit: 100 })).toEqual({ usedPercent: 50, reservedPercent: 10, tone: 'teal' });
    expect(useOf({ used: 85, reserved: 30, limit: 100 })).toEqual({ usedPercent: 85, reservedPercent: 15, tone: 'orange' });
    expect(useOf({ used: 120, reserved: 0, limit: 100 }).tone).toBe('red');
  });
});
