import { PlatformConfigError } from '@agent-orchestrator/service-host';
import { parseToolAdaptersConfig } from './config.js';

const refusal = (env: Record<string, string>): string => {
  try {
    parseToolAdaptersConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(PlatformConfigError);
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
};

describe('the tool-adapters configuration', () => {
  it("leaves the executor's defaults, redacts every kind, no tenant limit and no secret store when nothing is set", () => {
    expect(parseToolAdaptersConfig({})).toEqual({ executor: {}, rateLimits: { maxWaitMs: 30_000 }, secrets: { backend: 'none' }, egressAllow: [], egressDeny: ['169.254.0.0/16', 'fe80::/10', 'fd00:ec2::/32'] });
  });

  it('reads every variable', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(
      parseToolAdaptersConfig({
        TOOL_TIMEOUT_MS: '2000',
        TOOL_RETRIES: '0',
        TOOL_RETRY_MIN_MS: '50',
        TOOL_MAX_RESPONSE_BYTES: '1024',
        TOOL_TENANT_RATE_LIMIT_PER_MINUTE: '60',
        TOOL_RATE_LIMIT_MAX_WAIT_MS: '0',
        SECRETS_KEY: key,
        EGRESS_ALLOW: 'otel.internal:4318, 10.0.0.0/8',
        EGRESS_DENY: '169.254.0.0/16, 10.9.0.0/16',
      }),
    ).toEqual({
      executor: { timeoutMs: 2000, retries: 0, minBackoffMs: 50, maxResponseBytes: 1024 },
      rateLimits: { tenantPerMinute: 60, maxWaitMs: 0 },
      secrets: { backend: 'postgres', key: Buffer.alloc(32, 7), previousKeys: [], schema: 'secrets' },
      egressAllow: ['otel.internal:4318', '10.0.0.0/8'],
      egressDeny: ['169.254.0.0/16', '10.9.0.0/16'],
    });
  });

  it.each([
    ['TOOL_TIMEOUT_MS', '10s', /TOOL_TIMEOUT_MS: expects a whole number of milliseconds/],
    ['TOOL_RETRIES', 'three', /TOOL_RETRIES: expects a whole number of retries/],
    ['TOOL_RETRY_MIN_MS', '-5', /TOOL_RETRY_MIN_MS: expects/],
    ['TOOL_MAX_RESPONSE_BYTES', '256KiB', /TOOL_MAX_RESPONSE_BYTES: expects a whole number of bytes/],
    ['TOOL_TENANT_RATE_LIMIT_PER_MINUTE', '0', /TOOL_TENANT_RATE_LIMIT_PER_MINUTE: expects a whole number of calls a minute/],
    ['TOOL_RATE_LIMIT_MAX_WAIT_MS', '30 s', /TOOL_RATE_LIMIT_MAX_WAIT_MS: expects/],
    ['SECRETS_KEY', 'too-short', /SECRETS_KEY: expects 32 random bytes/],
    ['SECRETS_BACKEND', 'vaults', /SECRETS_BACKEND: expects postgres/],
    ['EGRESS_DENY', '10.0.0.0/33', /EGRESS_DENY: "10.0.0.0\/33" is not a host, host:port, IP address or CIDR block/],
    ['EGRESS_ALLOW', 'otel.internal, http://otel', /EGRESS_ALLOW: "http:\/\/otel" is not a host, host:port, IP address or CIDR block/],
  ])('refuses a wrong %s (%s), naming it and what it expects', (variable, value, message) => {
    expect(refusal({ [variable]: value })).toMatch(message);
  });
});
