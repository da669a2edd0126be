import { isGatewayError } from '../errors.js';
import { presentedApiKey } from './access.guard.js';
import { presentedLiveCredential } from './live-credentials.js';

const key = 'ao_0123456789abcdef0123456789abcdef_secret';

function refusal(headers: Record<string, string | string[]>): string {
  try {
    presentedApiKey(headers);
  } catch (error) {
    if (isGatewayError(error)) return error.code;
    throw error;
  }
  throw new Error('expected the headers to be refused');
}

describe('the API key a request presents', () => {
  it.each([
    ['a bearer token', { authorization: `Bearer ${key}` }],
    ['a bearer token, scheme in any case', { authorization: `bearer ${key}` }],
    ['an x-api-key header', { 'x-api-key': key }],
    ['both, when they agree', { authorization: `Bearer ${key}`, 'x-api-key': key }],
  ])('is read from %s', (_, headers) => {
    expect(presentedApiKey(headers)).toBe(key);
  });

  it('is missing when neither header is sent', () => {
    expect(refusal({})).toBe('MissingCredentials');
    expect(refusal({ 'x-api-key': '' })).toBe('MissingCredentials');
  });

  it.each([
    ['another scheme', { authorization: 'Basic YWxhZGRpbjpvcGVuc2VzYW1l' }],
    ['a bearer without a token', { authorization: 'Bearer ' }],
    ['two different keys', { authorization: `Bearer ${key}`, 'x-api-key': 'other' }],
    ['a repeated x-api-key header', { 'x-api-key': [key, key] }],
  ])('is invalid with %s', (_, headers) => {
    expect(refusal(headers)).toBe('InvalidCredentials');
  });

  describe('on the live WebSocket', () => {
    const codeOf = (run: () => unknown): string => {
      try {
        run();
      } catch (error) {
        if (isGatewayError(error)) return error.code;
        throw error;
      }
      throw new Error('expected a refusal');
    };

    const jwt = [{ alg: 'RS256', kid: 'k1' }, { sub: 'alice' }].map((part) => Buffer.from(JSON.stringify(part)).toString('base64url')).join('.') + '.c2ln';
    const ticket = `wst_${'a'.repeat(43)}`;

    it('takes ?apiKey=, the headers, or both when they agree', () => {
      expect(presentedLiveCredential({}, { apiKey: key })).toEqual({ credential: key });
      expect(presentedLiveCredential({ authorization: `Bearer ${key}` }, {})).toEqual({ credential: key });
      expect(presentedLiveCredential({ 'x-api-key': key }, { apiKey: key })).toEqual({ credential: key });
    });

    it('takes an access token as ?access_token= or in the Authorization header, and a ticket alone', () => {
      expect(presentedLiveCredential({}, { access_token: jwt })).toEqual({ credential: jwt });
      expect(presentedLiveCredential({ authorization: `Bearer ${jwt}` }, { access_token: jwt })).toEqual({ credential: jwt });
      expect(presentedLiveCredential({}, { ticket })).toEqual({ ticket });
    });

    it('refuses apiKey sent twice as a bad request, and keys that disagree as invalid credentials', () => {
      expect(codeOf(() => presentedLiveCredential({}, { apiKey: [key, 'x'] }))).toBe('InvalidRequest');
      expect(codeOf(() => presentedLiveCredential({ authorization: `Bearer ${key}` }, { apiKey: 'other' }))).toBe('InvalidCredentials');
      expect(codeOf(() => presentedLiveCredential({}, {}))).toBe('MissingCredentials');
    });

    it('refuses a ticket sent with another credential, both query credentials at once, and an API key as access_token', () => {
      expect(codeOf(() => presentedLiveCredential({ authorization: `Bearer ${key}` }, { ticket }))).toBe('InvalidRequest');
      expect(codeOf(() => presentedLiveCredential({}, { ticket, apiKey: key }))).toBe('InvalidRequest');
      expect(codeOf(() => presentedLiveCredential({}, { ticket: [ticket, ticket] }))).toBe('InvalidRequest');
      expect(codeOf(() => presentedLiveCredential({}, { access_token: jwt, apiKey: key }))).toBe('InvalidRequest');
      expect(codeOf(() => presentedLiveCredential({}, { access_token: key }))).toBe('InvalidToken');
      expect(codeOf(() => presentedLiveCredential({ authorization: `Bearer ${key}` }, { access_token: jwt }))).toBe('InvalidCredentials');
    });
  });
});
