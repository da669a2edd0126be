import type { Answer } from '@agent-orchestrator/client';
import { UserManager, WebStorageStateStore } from 'oidc-client-ts';

/** The console's single sign-on as the gateway tells it (GET /v1/sign-in). */
export type SsoOptions = NonNullable<Answer<'/v1/sign-in', 'get'>['oidc']>;

/** Where the provider sends the browser back with the authorization code: a route of the console. */
export const callbackPath = '/sign-in/callback';

/** What the console remembers across the trip to the provider: the page to come back to. */
export interface SignInState {
  readonly returnTo: string;
}

const managers = new Map<string, UserManager>();

/**
 * One UserManager per configuration, so its token renewal and events run once. The authorization
 * code flow with PKCE (oidc-client-ts always sends a code challenge); the user and the request's
 * state are kept in sessionStorage, never localStorage: closing the tab signs out, as with a key.
 */
export function userManagerFor(options: SsoOptions): UserManager {
  const key = JSON.stringify(options);
  let manager = managers.get(key);
  if (!manager) {
    const origin = window.location.origin;
    manager = new UserManager({
      authority: options.issuer,
      client_id: options.clientId,
      redirect_uri: `${origin}${callbackPath}`,
      post_logout_redirect_uri: `${origin}/`,
      response_type: 'code',
      scope: options.scopes,
      userStore: new WebStorageStateStore({ store: window.sessionStorage }),
      stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
      ...(options.audience === undefined ? {} : { extraQueryParams: { audience: options.audience } }),
      // The gateway reads roles and tenant from the access token; the userinfo endpoint adds nothing it uses.
      loadUserInfo: false,
      // Renews with the refresh token when the provider gave one; without one the token simply runs out.
      automaticSilentRenew: true,
    });
    managers.set(key, manager);
  }
  return manager;
}

/** The current access token, or an error saying the single sign-on session has ended. */
export async function accessTokenOf(options: SsoOptions): Promise<string> {
  const user = await userManagerFor(options).getUser();
  if (!user || user.expired) throw new Error('Your single sign-on session has ended: sign in again.');
  return user.access_token;
}
