import { parsePlatformConfig } from './platform-config.js';

const base = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test', KAFKA_BROKERS: '127.0.0.1:19092' };

describe('PII_REDACT, the operator default of what personal data is redacted', () => {
  it('is every kind when unset, none for "none", else the kinds listed', () => {
    expect(parsePlatformConfig(base, 'svc').piiRedact).toEqual(['secret', 'email', 'iban', 'card', 'national_id', 'phone']);
    expect(parsePlatformConfig({ ...base, PII_REDACT: 'none' }, 'svc').piiRedact).toEqual([]);
    expect(parsePlatformConfig({ ...base, PII_REDACT: 'email, card' }, 'svc').piiRedact).toEqual(['email', 'card']);
  });

  it('stops start-up on an unknown kind, naming the variable and what it expects', () => {
    expect(() => parsePlatformConfig({ ...base, PII_REDACT: 'email,nickname' }, 'svc')).toThrow(/PII_REDACT: names unknown kinds \(nickname\); expects a comma-separated list of secret, email, iban, card, national_id, phone, or none/);
  });
});

describe('the readiness and projection settings', () => {
  it('default to a 10 s stall, a 3 s retry window and a free health port', () => {
    expect(parsePlatformConfig(base, 'svc')).toMatchObject({ readinessStallMs: 10_000, projectionRetryWindowMs: 3_000, healthPort: 0, eventPollMs: 25 });
  });

  it.each([
    ['READINESS_STALL_MS', '10s', /READINESS_STALL_MS: expects a whole number of milliseconds from 100 to 3600000/],
    ['PROJECTION_RETRY_WINDOW_MS', '50', /PROJECTION_RETRY_WINDOW_MS: expects a whole number of milliseconds from 100 to 3600000/],
    ['EVENT_POLL_MS', '2.5', /EVENT_POLL_MS: expects a whole number of milliseconds from 5 to 5000/],
    ['HEALTH_PORT', '70000', /HEALTH_PORT: expects a TCP port/],
  ])('stop start-up on a wrong %s (%s), naming it and what it expects', (variable, value, message) => {
    expect(() => parsePlatformConfig({ ...base, [variable]: value }, 'svc')).toThrow(message);
  });
});

describe('the application role settings', () => {
  it('default to switching to ao_app through DATABASE_URL', () => {
    const config = parsePlatformConfig(base, 'svc');
    expect(config.appRole).toBe('ao_app');
    expect(config.appDatabaseUrl).toBeUndefined();
    expect(parsePlatformConfig({ ...base, APP_DATABASE_URL: 'postgres://ao_gateway@db:5432/platform' }, 'svc').appDatabaseUrl).toBe('postgres://ao_gateway@db:5432/platform');
  });

  it.each([
    ['APP_DATABASE_URL', 'mysql://app@db/platform', /APP_DATABASE_URL: expects a PostgreSQL connection string, postgres:\/\/user:password@host:port\/database, or leave it unset to use DATABASE_APP_ROLE through DATABASE_URL/],
    ['DATABASE_APP_ROLE', 'App Role', /DATABASE_APP_ROLE: expects a PostgreSQL role name: lower-case letters, digits and "_"/],
  ])('stop start-up on a wrong %s (%s), naming it and what it expects', (variable, value, message) => {
    expect(() => parsePlatformConfig({ ...base, [variable]: value }, 'svc')).toThrow(message);
  });
});

describe('METRICS, the switch of what the process records and /metrics answers', () => {
  it('is on by default, and on or off as set', () => {
    expect(parsePlatformConfig(base, 'svc').metrics).toBe('on');
    expect(parsePlatformConfig({ ...base, METRICS: 'off' }, 'svc').metrics).toBe('off');
    expect(parsePlatformConfig({ ...base, METRICS: 'on' }, 'svc').metrics).toBe('on');
  });

  it.each(['false', 'OFF', '0'])('stops start-up on METRICS=%s, naming it and what it expects', (value) => {
    expect(() => parsePlatformConfig({ ...base, METRICS: value }, 'svc')).toThrow(/METRICS: expects on or off/);
  });
});
