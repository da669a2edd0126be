import { presentCredentials, withoutCutCredential } from './credential-presentation.js';

describe('presenting credentials', () => {
  it('adds an apiKey cookie to the cookies already in the Cookie header', () => {
    const url = new URL('https://api.example.com/cart');
    const headers: Record<string, string> = { cookie: 'locale=de' };
    presentCredentials(url, headers, [{ scheme: { type: 'apiKey', in: 'cookie', name: 'sid' }, value: 'a1,b2' }]);
    expect(headers).toEqual({ cookie: 'locale=de; sid=a1%2Cb2' });
    expect(url.search).toBe('');
  });

  it('presents OAuth 2 and OpenID Connect access tokens as bearer tokens', () => {
    for (const scheme of [{ type: 'oauth2' as const, clientCredentials: { tokenUrl: 'https://auth.example.com/token', scopes: [] } }, { type: 'openIdConnect' as const, openIdConnectUrl: 'https://id.example.com/.well-known/openid-configuration', scopes: [] }]) {
      const headers: Record<string, string> = {};
      presentCredentials(new URL('https://api.example.com/'), headers, [{ scheme, value: 'at-123' }]);
      expect(headers).toEqual({ authorization: 'Bearer at-123' });
    }
  });

  it('replaces a credential cut off at the end of a quoted answer, and only from 8 characters on', () => {
    expect(withoutCutCredential('answered 401: token eyJhbGciOiJSU', ['eyJhbGciOiJSUzI1NiJ9.payload.sig'])).toBe('answered 401: token [REDACTED:secret]');
    expect(withoutCutCredential('answered 401: eyJhbGc', ['eyJhbGciOiJSUzI1NiJ9.payload.sig'])).toBe('answered 401: eyJhbGc');
  });
});
