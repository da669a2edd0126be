import { PlatformConfigError } from '@agent-orchestrator/service-host';
import { parseApprovalsConfig } from './config.js';

describe('the approvals configuration', () => {
  it('looks for expired approvals every 5 s unless told otherwise', () => {
    expect(parseApprovalsConfig({})).toEqual({ approvalSweepMs: 5000 });
    expect(parseApprovalsConfig({ APPROVAL_SWEEP_MS: '1000' })).toEqual({ approvalSweepMs: 1000 });
  });

  it.each(['1s', 'abc', '5', '1e9'])('refuses APPROVAL_SWEEP_MS=%s, naming it and what it expects', (value) => {
    expect(() => parseApprovalsConfig({ APPROVAL_SWEEP_MS: value })).toThrow(PlatformConfigError);
    expect(() => parseApprovalsConfig({ APPROVAL_SWEEP_MS: value })).toThrow(/APPROVAL_SWEEP_MS: expects a whole number of milliseconds/);
  });
});
