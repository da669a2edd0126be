import { GatewayConfigError, parseGatewayConfig } from './config.js';

const databaseUrl = 'postgres://gateway:secret@db:5432/orchestrator';

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    parseGatewayConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayConfigError);
    return (error as GatewayConfigError).message.split('\n').slice(1).map((line) => line.trim());
  }
  throw new Error('expected the configuration to be refused');
}

describe('gateway configuration', () => {
  it('applies defaults to everything but the database', () => {
    expect(parseGatewayConfig({ DATABASE_URL: databaseUrl })).toEqual({
      databaseUrl,
      port: 3000,
      schema: 'gateway',
      bootstrapAdminApiKey: undefined,
      bootstrapTenant: 'demo',
      platformAdminApiKey: undefined,
      tenantRetentionDays: 180,
      maxBodyBytes: 1024 * 1024,
      maxToolDocumentBytes: 32 * 1024 * 1024,
      egressAllow: [],
      egressDeny: ['169.254.0.0/16', 'fe80::/10', 'fd00:ec2::/32'],
      secrets: { backend: 'none' },
      rateLimits: { authFailuresPerMinute: 30 },
      consoleDir: expect.stringMatching(/apps\/console\/dist$/),
    });
  });

  it('reads every variable, and ignores variables that are not its own', () => {
    const key = 'k'.repeat(32);
    expect(
      parseGatewayConfig({
        DATABASE_URL: 'postgresql://localhost/db',
        GATEWAY_PORT: '8080',
        GATEWAY_SCHEMA: 'gw_1',
        BOOTSTRAP_ADMIN_API_KEY: key,
        BOOTSTRAP_TENANT: 'acme-eu',
        PLATFORM_ADMIN_API_KEY: 'p'.repeat(32),
        TENANT_RETENTION_DAYS: '30',
        MAX_BODY_BYTES: '65536',
        TOOL_DOCUMENT_MAX_BYTES: '1048576',
        EGRESS_ALLOW: 'idp.internal:8443, 10.0.0.0/8',
        EGRESS_DENY: 'none',
        API_RATE_LIMIT_PER_MINUTE: '600',
        TENANT_RATE_LIMIT_PER_MINUTE: '6000',
        AUTH_FAILURE_LIMIT_PER_MINUTE: '10',
        CORS_ORIGINS: 'https://console.example.com, http://localhost:5173',
        TRUST_PROXY: '10.0.0.0/8, 192.168.1.7, fd00::/8',
        CONSOLE_DIR: 'none',
        PATH: '/usr/bin',
      }),
    ).toEqual({
      databaseUrl: 'postgresql://localhost/db',
      port: 8080,
      schema: 'gw_1',
      bootstrapAdminApiKey: key,
      bootstrapTenant: 'acme-eu',
      platformAdminApiKey: 'p'.repeat(32),
      tenantRetentionDays: 30,
      maxBodyBytes: 65536,
      maxToolDocumentBytes: 1048576,
      egressAllow: ['idp.internal:8443', '10.0.0.0/8'],
      egressDeny: [],
      secrets: { backend: 'none' },
      rateLimits: { principalPerMinute: 600, tenantPerMinute: 6000, authFailuresPerMinute: 10 },
      corsOrigins: ['https://console.example.com', 'http://localhost:5173'],
      trustProxy: ['10.0.0.0/8', '192.168.1.7', 'fd00::/8'],
    });
  });

  it('treats a variable set to the empty string as unset', () => {
    expect(parseGatewayConfig({ DATABASE_URL: databaseUrl, BOOTSTRAP_ADMIN_API_KEY: '', GATEWAY_PORT: '' })).toMatchObject({
      bootstrapAdminApiKey: undefined,
      port: 3000,
    });
  });

  it('names a missing DATABASE_URL and says what it expects', () => {
    expect(problemsOf({})).toEqual([expect.stringMatching(/^DATABASE_URL: not set; expects a PostgreSQL connection string/)]);
  });

  it.each([
    ['DATABASE_URL', 'mysql://localhost/db', /^DATABASE_URL: expects a PostgreSQL connection string/],
    ['GATEWAY_PORT', 'http', /^GATEWAY_PORT: expects an integer TCP port from 0 to 65535/],
    ['GATEWAY_PORT', '70000', /^GATEWAY_PORT: expects an integer TCP port from 0 to 65535/],
    ['GATEWAY_PORT', '80.5', /^GATEWAY_PORT: expects an integer TCP port/],
    ['GATEWAY_SCHEMA', 'Gateway; DROP', /^GATEWAY_SCHEMA: expects a PostgreSQL schema name/],
    ['BOOTSTRAP_ADMIN_API_KEY', 'too-short', /^BOOTSTRAP_ADMIN_API_KEY: expects at least 32 characters/],
    ['BOOTSTRAP_TENANT', 'Acme Corp', /^BOOTSTRAP_TENANT: tenant ids are lower-case letters/],
    ['PLATFORM_ADMIN_API_KEY', 'too-short', /^PLATFORM_ADMIN_API_KEY: expects at least 32 characters/],
    ['TENANT_RETENTION_DAYS', '0', /^TENANT_RETENTION_DAYS: expects a whole number of days from 1 to 3650/],
    ['TENANT_RETENTION_DAYS', '6 months', /^TENANT_RETENTION_DAYS: expects a whole number of days/],
    ['MAX_BODY_BYTES', '0', /^MAX_BODY_BYTES: expects a whole number of bytes/],
    ['MAX_BODY_BYTES', '1MiB', /^MAX_BODY_BYTES: expects a whole number of bytes/],
    ['TOOL_DOCUMENT_MAX_BYTES', '32MB', /^TOOL_DOCUMENT_MAX_BYTES: expects a whole number of bytes/],
    ['EGRESS_ALLOW', 'idp.internal, https://otel', /^EGRESS_ALLOW: "https:\/\/otel" is not a host, host:port, IP address or CIDR block/],
    ['API_RATE_LIMIT_PER_MINUTE', '0', /^API_RATE_LIMIT_PER_MINUTE: expects a whole number of requests a minute, at least 1/],
    ['TENANT_RATE_LIMIT_PER_MINUTE', '10/s', /^TENANT_RATE_LIMIT_PER_MINUTE: expects a whole number of requests a minute/],
    ['AUTH_FAILURE_LIMIT_PER_MINUTE', '2.5', /^AUTH_FAILURE_LIMIT_PER_MINUTE: expects a whole number of failed authentications a minute/],
    ['CORS_ORIGINS', 'https://console.example.com/', /^CORS_ORIGINS: "https:\/\/console.example.com\/" is not an origin: write scheme:\/\/host\[:port\] with no path/],
    ['CORS_ORIGINS', '*', /^CORS_ORIGINS: "\*" is not an origin/],
    ['TRUST_PROXY', '10.0.0.0/33', /^TRUST_PROXY: "10.0.0.0\/33" is not an IP address or CIDR block/],
    ['TRUST_PROXY', 'proxy.internal', /^TRUST_PROXY: "proxy.internal" is not an IP address or CIDR block/],
  ])('refuses %s=%s, naming it', (variable, value, expected) => {
    expect(problemsOf({ DATABASE_URL: databaseUrl, [variable]: value })).toEqual([expect.stringMatching(expected)]);
  });

  it('refuses a platform admin key that is also the bootstrap tenant admin key', () => {
    const key = 'k'.repeat(32);
    expect(problemsOf({ DATABASE_URL: databaseUrl, BOOTSTRAP_ADMIN_API_KEY: key, PLATFORM_ADMIN_API_KEY: key })).toEqual([
      expect.stringMatching(/^PLATFORM_ADMIN_API_KEY: expects a secret of its own: it equals BOOTSTRAP_ADMIN_API_KEY/),
    ]);
  });

  it('lists every wrong variable at once', () => {
    expect(problemsOf({ GATEWAY_PORT: 'x', MAX_BODY_BYTES: '-1' }).map((line) => line.split(':')[0])).toEqual([
      'DATABASE_URL',
      'GATEWAY_PORT',
      'MAX_BODY_BYTES',
    ]);
  });

  it('never repeats the bootstrap key in its message', () => {
    const secretButShort = 'hunter2-hunter2';
    expect(problemsOf({ DATABASE_URL: databaseUrl, BOOTSTRAP_ADMIN_API_KEY: secretButShort }).join('\n')).not.toContain(secretButShort);
  });

  it('refuses a wrong secrets variable, naming it (the secrets API reads the store it names)', () => {
    expect(() => parseGatewayConfig({ DATABASE_URL: databaseUrl, SECRETS_KEY: 'not-32-bytes' })).toThrow(/SECRETS_KEY: expects 32 random bytes/);
    expect(parseGatewayConfig({ DATABASE_URL: databaseUrl, SECRETS_KEY: 'ab'.repeat(32) }).secrets).toMatchObject({ backend: 'postgres', schema: 'secrets' });
  });
});
