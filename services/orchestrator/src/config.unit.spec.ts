import { PlatformConfigError } from '@agent-orchestrator/service-host';
import { parseOrchestratorConfig } from './config.js';

describe('the orchestrator configuration', () => {
  it('sweeps for timeouts every 5 s unless told otherwise', () => {
    expect(parseOrchestratorConfig({})).toEqual({ timeoutSweepMs: 5000, projections: 'in-process' });
    expect(parseOrchestratorConfig({ TIMEOUT_SWEEP_MS: '' })).toEqual({ timeoutSweepMs: 5000, projections: 'in-process' });
    expect(parseOrchestratorConfig({ TIMEOUT_SWEEP_MS: '250' })).toEqual({ timeoutSweepMs: 250, projections: 'in-process' });
  });

  it('projects the read models itself unless PROJECTIONS=apart, and refuses anything else', () => {
    expect(parseOrchestratorConfig({ PROJECTIONS: 'apart' }).projections).toBe('apart');
    expect(() => parseOrchestratorConfig({ PROJECTIONS: 'elsewhere' })).toThrow(/PROJECTIONS: expects in-process .* or apart/);
  });

  it.each(['5s', '5000ms', 'NaN', '0', '-1', '2.5'])('refuses TIMEOUT_SWEEP_MS=%s, naming it and what it expects', (value) => {
    expect(() => parseOrchestratorConfig({ TIMEOUT_SWEEP_MS: value })).toThrow(PlatformConfigError);
    expect(() => parseOrchestratorConfig({ TIMEOUT_SWEEP_MS: value })).toThrow(/TIMEOUT_SWEEP_MS: expects a whole number of milliseconds from 10/);
  });
});
