import { counted, dayBefore, duration, usd } from './format.js';

describe('usage formatting', () => {
  it('shows cents for ordinary sums and two significant digits under a cent', () => {
    expect([usd(0), usd(12.345), usd(0.0012), usd(1234)]).toEqual(['$0.00', '$12.35', '$0.0012', '$1,234.00']);
  });
  it('says a duration in the largest units that fit', () => {
    expect([duration(null), duration(0.25), duration(42), duration(180), duration(7500), duration(3 * 86_400)]).toEqual(['—', '250 ms', '42 s', '3 min', '2 h 5 min', '3 d']);
  });
  it('says one of a thing in the singular', () => {
    expect([counted(1, 'call'), counted(0, 'call'), counted(1200, 'turn')]).toEqual(['1 call', '0 calls', '1,200 turns']);
  });
  it('counts days back in UTC', () => {
    expect(dayBefore(30, new Date('2026-03-01T23:30:00Z'))).toBe('2026-01-30');
  });
});
