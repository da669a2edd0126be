import { Controller, Get, Header, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { roles } from './roles.js';
import { Returns } from '../http/answers.js';
import { ApiProblems, apiKeyHeaderScheme, bearerScheme } from '../http/openapi.js';
import { AnyCaller, Public, principalOf } from './access.guard.js';
import type { ConsoleSignIn } from './console-sign-in.js';
import { platformCallerOf } from './platform-admin.js';

/** The console's single sign-on, or none: what GET /v1/sign-in tells a browser before anyone is signed in. */
export class SignInOptions {
  constructor(readonly oidc: ConsoleSignIn | undefined) {}
}

const signInOptions = z.object({
  oidc: z
    .object({
      issuer: z.string().describe('The OpenID provider: its discovery document is at `<issuer>/.well-known/openid-configuration`.'),
      clientId: z.string().describe("The console's public client at the provider (no secret: the authorization code flow with PKCE)."),
      scopes: z.string().describe('The scopes to ask for, separated by spaces.'),
      audience: z.string().optional().describe('Sent as `audience` on the authorization request, for providers that choose the token\'s audience by it.'),
    })
    .nullable()
    .describe('Null: single sign-on is not configured, sign in with an API key.'),
});

const caller = z.object({
  tenantId: z.string().nullable().describe("The tenant the request speaks for; null for the platform admin, who belongs to no tenant."),
  subject: z.string().describe('Who acts, as event actors and `createdBy` name it: an API key\'s id, `token:<issuer>#<sub>`, or `platform-admin:<id>`.'),
  roles: z.array(z.enum([...roles, 'platform-admin'])).describe("The caller's roles in its tenant (after the tenant's role mapping, for a token); `platform-admin` alone for the platform admin."),
  via: z.enum(['apiKey', 'token']).describe('An API key, or an access token of an identity provider.'),
  keyId: z.string().optional().describe('The API key\'s id (via apiKey).'),
  issuer: z.string().optional().describe('The token\'s issuer (via token).'),
  expiresAt: z.iso.datetime().nullable().describe('When the credential stops working: the token\'s exp, the key\'s expiry (or the end of a rotation\'s overlap for a replaced secret); null: the key does not expire.'),
});

@ApiTags('sign-in')
@Controller('v1')
export class SignInController {
  constructor(private readonly options: SignInOptions) {}

  @Get('sign-in')
  @Public()
  @ApiOperation({ operationId: 'getSignInOptions', summary: 'How to sign in to the console: with single sign-on at the configured identity provider, or with an API key only. Needs no API key.' })
  @Returns(200, signInOptions)
  getSignInOptions(): z.input<typeof signInOptions> {
    return { oidc: this.options.oidc ?? null };
  }

  @Get('me')
  @AnyCaller()
  @Header('cache-control', 'no-store')
  @ApiBearerAuth(bearerScheme)
  @ApiSecurity(apiKeyHeaderScheme)
  @ApiOperation({ operationId: 'getCaller', summary: 'Who the request speaks for: tenant, subject, roles and the credential used, with its expiry. Any role may ask, the platform admin too.' })
  @Returns(200, caller)
  @ApiProblems(401, 403)
  getCaller(@Req() request: FastifyRequest): z.input<typeof caller> {
    const platformAdmin = platformCallerOf(request);
    if (platformAdmin) return { tenantId: null, subject: `platform-admin:${platformAdmin.keyId}`, roles: [...platformAdmin.roles], via: 'apiKey', keyId: platformAdmin.keyId, expiresAt: null };
    const principal = principalOf(request);
    if (!principal) throw new Error('GET /v1/me reached without an authenticated caller');
    const { tenantId, subject, presented } = principal;
    const credential = presented.via === 'apiKey' ? { via: presented.via, keyId: presented.keyId, expiresAt: presented.expiresAt } : presented.via === 'token' ? { via: presented.via, issuer: presented.issuer, expiresAt: presented.expiresAt } : undefined;
    // A ticket opens the live WebSocket only; it never reaches a REST route.
    if (!credential) throw new Error('GET /v1/me reached with a WebSocket ticket');
    return { tenantId, subject, roles: [...principal.roles], ...credential };
  }
}
