import { z } from 'zod';
import type { oidcVariables } from './oidc-config.js';

/** What the console needs to run the authorization code flow with PKCE against the identity provider. */
export interface ConsoleSignIn {
  /** One of the issuers whose tokens the gateway accepts: the console's tokens must pass the same checks. */
  readonly issuer: string;
  /** The console's client at the provider: a public client (no secret), redirecting to `<console>/sign-in/callback`. */
  readonly clientId: string;
  /** Space-separated, `openid` among them. */
  readonly scopes: string;
  /** Sent as `audience` on the authorization request, for providers that choose the token's audience by it (Auth0). */
  readonly audience?: string;
}

const scopeList = z
  .string()
  .trim()
  .regex(/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/, { error: 'expects scope names separated by single spaces, e.g. "openid profile"' })
  .refine((scopes) => scopes.split(' ').includes('openid'), { error: 'expects "openid" among the scopes: the console signs in with OpenID Connect' });

/** The console's single sign-on variables, spread into the gateway's environment schema. */
export const consoleSignInVariables = {
  CONSOLE_OIDC_CLIENT_ID: z.string().min(1).max(300, { error: 'expects a client id of at most 300 characters' }).optional(),
  CONSOLE_OIDC_ISSUER: z.string().optional(),
  CONSOLE_OIDC_SCOPES: scopeList.default('openid'),
  CONSOLE_OIDC_AUDIENCE: z.string().min(1).max(300, { error: 'expects an audience of at most 300 characters' }).optional(),
};

type Variables = z.infer<z.ZodObject<typeof consoleSignInVariables & typeof oidcVariables>>;

/** The issuers the gateway trusts, as OIDC_ISSUER_URL or OIDC_ISSUERS name them. */
const trustedIssuers = (vars: Variables): string[] => (vars.OIDC_ISSUER_URL ? [vars.OIDC_ISSUER_URL] : (vars.OIDC_ISSUERS ?? []).map((entry) => entry.issuer));

/**
 * The console signs in against an issuer the gateway already trusts, so a token it brings back
 * is accepted: CONSOLE_OIDC_ISSUER names one of them, or defaults to the only one.
 */
export function checkConsoleSignInVariables(vars: Variables, context: z.RefinementCtx): void {
  const issuers = trustedIssuers(vars);
  if (vars.CONSOLE_OIDC_CLIENT_ID === undefined) {
    for (const variable of ['CONSOLE_OIDC_ISSUER', 'CONSOLE_OIDC_AUDIENCE'] as const) {
      if (vars[variable] !== undefined) context.addIssue({ code: 'custom', path: [variable], message: "is set but CONSOLE_OIDC_CLIENT_ID is not: set the console's client id at the identity provider too, or neither" });
    }
    return;
  }
  if (issuers.length === 0) {
    context.addIssue({ code: 'custom', path: ['CONSOLE_OIDC_CLIENT_ID'], message: 'is set but no issuer is trusted: set OIDC_ISSUER_URL and OIDC_AUDIENCE (or OIDC_ISSUERS) so the gateway accepts the tokens the console signs in for' });
  } else if (vars.CONSOLE_OIDC_ISSUER === undefined && issuers.length > 1) {
    context.addIssue({ code: 'custom', path: ['CONSOLE_OIDC_ISSUER'], message: `expects the issuer the console signs in with, since OIDC_ISSUERS lists ${issuers.length}: one of ${issuers.join(', ')}` });
  } else if (vars.CONSOLE_OIDC_ISSUER !== undefined && !issuers.includes(vars.CONSOLE_OIDC_ISSUER)) {
    context.addIssue({ code: 'custom', path: ['CONSOLE_OIDC_ISSUER'], message: `expects one of the issuers the gateway trusts (${issuers.join(', ')}), exactly as written there, not ${vars.CONSOLE_OIDC_ISSUER.slice(0, 200)}` });
  }
}

/** The console's sign-in, once the variables passed checkConsoleSignInVariables; none without a client id. */
export function consoleSignInOf(vars: Variables): ConsoleSignIn | undefined {
  const issuer = vars.CONSOLE_OIDC_ISSUER ?? trustedIssuers(vars)[0];
  if (vars.CONSOLE_OIDC_CLIENT_ID === undefined || issuer === undefined) return undefined;
  return { issuer, clientId: vars.CONSOLE_OIDC_CLIENT_ID, scopes: vars.CONSOLE_OIDC_SCOPES, ...(vars.CONSOLE_OIDC_AUDIENCE === undefined ? {} : { audience: vars.CONSOLE_OIDC_AUDIENCE }) };
}
