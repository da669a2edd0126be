import { describeRange, formatBytes, instantOf, progressOf, sentence, sessionIdsOf, verifyCommand } from './format.js';

describe('how the audit page words an export', () => {
  it('describes what an export covers', () => {
    expect(describeRange({})).toBe('Everything up to its checkpoint');
    expect(describeRange({ sessionIds: ['s-1'] })).toBe('Session s-1');
    expect(describeRange({ sessionIds: ['s-1', 's-2', 's-3'] })).toBe('3 sessions');
    expect(describeRange({ from: '2026-11-01T00:00:00Z' })).toMatch(/^From .+ on$/);
    expect(describeRange({ from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' })).toMatch(/^From .+ to .+$/);
  });

  it('shows progress as a share of the total, and none while the total is unknown', () => {
    expect(progressOf({ status: 'running', progress: { written: 250, total: 1000 } })).toBe(25);
    expect(progressOf({ status: 'running', progress: { written: 5, total: null } })).toBeUndefined();
    expect(progressOf({ status: 'running', progress: { written: 0, total: 0 } })).toBe(100);
    expect(progressOf({ status: 'completed', progress: { written: 3, total: 4 } })).toBe(100);
  });

  it('reads sizes, pasted session ids and local times as a person writes them', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MB');
    expect(sessionIdsOf('a, b\nc  a\n')).toEqual(['a', 'b', 'c']);
    expect(instantOf('')).toBeUndefined();
    expect(instantOf('not a time')).toBeUndefined();
    expect(instantOf('2026-11-01T10:00')).toBe(new Date('2026-11-01T10:00').toISOString());
    expect(sentence('the checkpoint could not be signed')).toBe('The checkpoint could not be signed.');
    expect(sentence('Out of disk!')).toBe('Out of disk!');
  });

  it('spells the offline command with the pinned fingerprint, or a placeholder when there is no key yet', () => {
    expect(verifyCommand('audit-acme-1.ndjson', 'ab'.repeat(32))).toBe(`npx ao audit verify audit-acme-1.ndjson --trusted-key ${'ab'.repeat(32)}`);
    expect(verifyCommand('f.ndjson', undefined)).toBe('npx ao audit verify f.ndjson --trusted-key <fingerprint>');
  });
});
