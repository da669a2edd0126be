import { isGatewayError } from '../errors.js';
import { presentedApiKey, presentedLiveKey } from './access.guard.js';

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

    it('takes ?apiKey=, the headers, or both when they agree', () => {
      expect(presentedLiveKey({}, key)).toBe(key);
      expect(presentedLiveKey({ authorization: `Bearer ${key}` }, undefined)).toBe(key);
      expect(presentedLiveKey({ 'x-api-key': key }, key)).toBe(key);
    });

    it('refuses apiKey sent twice as a bad request, and keys that disagree as invalid credentials', () => {
      expect(codeOf(() => presentedLiveKey({}, [key, 'x']))).toBe('InvalidRequest');
      expect(codeOf(() => presentedLiveKey({ authorization: `Bearer ${key}` }, 'other'))).toBe('InvalidCredentials');
      expect(codeOf(() => presentedLiveKey({}, undefined))).toBe('MissingCredentials');
    });
  });
});
