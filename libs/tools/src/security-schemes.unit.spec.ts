import { securitySchemeSchema } from '@agent-orchestrator/contracts';
import { compileOpenApi } from './openapi-tool.js';

const ok = { '200': { description: 'ok' } };

describe('security schemes', () => {
  it('compiles OAuth 2, OpenID Connect and cookie API keys, asking each OAuth scheme for every scope the document requires of it', async () => {
    const compiled = await compileOpenApi({
      openapi: '3.0.3',
      info: { title: 'Pets', version: '1' },
      security: [{ machine: ['pets:read'] }],
      components: {
        securitySchemes: {
          machine: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'https://auth.example.com/token', scopes: { 'pets:read': '', 'pets:write': '' } } } },
          person: {
            type: 'oauth2',
            flows: { authorizationCode: { authorizationUrl: 'https://auth.example.com/authorize', tokenUrl: 'https://auth.example.com/token', scopes: {} } },
          },
          oidc: { type: 'openIdConnect', openIdConnectUrl: 'https://id.example.com/tenant/.well-known/openid-configuration' },
          session: { type: 'apiKey', in: 'cookie', name: 'session_id' },
        },
      },
      paths: {
        '/pets': {
          get: { operationId: 'listPets', responses: ok },
          post: { operationId: 'addPet', security: [{ machine: ['pets:write', 'pets:read'] }], responses: ok },
        },
        '/me': { get: { operationId: 'me', security: [{ person: [], oidc: ['openid', 'profile'] }], responses: ok } },
        '/cart': { get: { operationId: 'cart', security: [{ session: [] }], responses: ok } },
      },
    });
    expect(compiled.securitySchemes).toEqual({
      machine: { type: 'oauth2', clientCredentials: { tokenUrl: 'https://auth.example.com/token', scopes: ['pets:read', 'pets:write'] } },
      person: { type: 'oauth2', refreshToken: { tokenUrl: 'https://auth.example.com/token', scopes: [] } },
      oidc: { type: 'openIdConnect', openIdConnectUrl: 'https://id.example.com/tenant/.well-known/openid-configuration', scopes: ['openid', 'profile'] },
      session: { type: 'apiKey', in: 'cookie', name: 'session_id' },
    });
    expect(compiled.operations.map((operation) => [operation.name, operation.security])).toEqual([
      ['listPets', ['machine']],
      ['addPet', ['machine']],
      ['me', ['person', 'oidc']],
      ['cart', ['session']],
    ]);
    // What is compiled is what the ToolRegistered event stores.
    for (const scheme of Object.values(compiled.securitySchemes)) expect(securitySchemeSchema.parse(scheme)).toEqual(scheme);
  });

  it.each([
    ['an OAuth 2 scheme with only an implicit flow', { type: 'oauth2', flows: { implicit: { authorizationUrl: 'https://auth.example.com/authorize', scopes: {} } } }],
    ['an OAuth 2 scheme whose token URL is relative', { type: 'oauth2', flows: { clientCredentials: { tokenUrl: '/token', scopes: {} } } }],
    ['an OpenID Connect URL that is no discovery document', { type: 'openIdConnect', openIdConnectUrl: 'https://id.example.com/config.json' }],
  ])('cannot present %s, and says so', async (_case, scheme) => {
    await expect(
      compileOpenApi({
        openapi: '3.1.0',
        info: { title: 'T', version: '1' },
        components: { securitySchemes: { only: scheme } },
        paths: { '/a': { get: { operationId: 'a', security: [{ only: [] }], responses: ok } } },
      }),
    ).rejects.toThrow(/GET \/a: its security \(only\) needs a scheme the platform cannot present; supported are apiKey in a header, query or cookie.*OAuth 2 client credentials/);
  });

  it('still reads the schemes stored before OAuth 2 and cookies were presented', () => {
    for (const old of [{ type: 'apiKey', in: 'header', name: 'X-Key' }, { type: 'bearer' }, { type: 'basic' }]) expect(securitySchemeSchema.parse(old)).toEqual(old);
  });
});
