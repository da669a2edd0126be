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
