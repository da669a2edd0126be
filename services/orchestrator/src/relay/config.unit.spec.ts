import { PlatformConfigError } from '@agent-orchestrator/service-host';
import { parseRelayConfig } from './config.js';

describe('the relay configuration', () => {
  it('tries for the lead and checks it every second unless told otherwise', () => {
    expect(parseRelayConfig({})).toEqual({ leaderPollMs: 1000, heartbeatMs: 1000 });
    expect(parseRelayConfig({ RELAY_LEADER_POLL_MS: '', RELAY_HEARTBEAT_MS: '' })).toEqual({ leaderPollMs: 1000, heartbeatMs: 1000 });
    expect(parseRelayConfig({ RELAY_LEADER_POLL_MS: '250', RELAY_HEARTBEAT_MS: '500' })).toEqual({ leaderPollMs: 250, heartbeatMs: 500 });
  });

  it.each(['1s', 'NaN', '0', '10', '-1', '2.5', '60001'])('refuses %s for RELAY_LEADER_POLL_MS and RELAY_HEARTBEAT_MS, naming each and what it expects', (value) => {
    expect(() => parseRelayConfig({ RELAY_LEADER_POLL_MS: value })).toThrow(PlatformConfigError);
    expect(() => parseRelayConfig({ RELAY_LEADER_POLL_MS: value })).toThrow(/RELAY_LEADER_POLL_MS: expects a whole number of milliseconds from 50 to 60000/);
    expect(() => parseRelayConfig({ RELAY_HEARTBEAT_MS: value })).toThrow(/RELAY_HEARTBEAT_MS: expects a whole number of milliseconds from 50 to 60000/);
  });
});
