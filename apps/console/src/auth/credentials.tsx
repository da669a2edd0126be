import { createClient, type AgentOrchestratorClient } from '@agent-orchestrator/client';
import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { accessTokenOf, userManagerFor, type SsoOptions } from './sso';

/**
 * How the console speaks for its user: an API key, or single sign-on, whose access token
 * oidc-client-ts keeps (and renews) in sessionStorage; the credential names the provider only.
 */
export type Credential = { readonly kind: 'apiKey'; readonly apiKey: string } | { readonly kind: 'token'; readonly sso: SsoOptions };

// Kept for the tab (sessionStorage), never in localStorage: closing the tab signs out, and another tab signs in on its own.
const storageKey = 'agent-orchestrator.console.credential';

function kept(): Credential | undefined {
  try {
    const text = sessionStorage.getItem(storageKey);
    const credential = text ? (JSON.parse(text) as Credential) : undefined;
    // A credential from before single sign-on kept a token of its own: sign in again.
    return credential && (credential.kind === 'apiKey' || 'sso' in credential) ? credential : undefined;
  } catch {
    return undefined;
  }
}

export function clientFor(credential: Credential, baseUrl = window.location.origin): AgentOrchestratorClient {
  // A token is asked for before each request, so a renewed one is used as soon as it arrives.
  return createClient({ baseUrl, ...(credential.kind === 'apiKey' ? { apiKey: credential.apiKey } : { getToken: () => accessTokenOf(credential.sso) }) });
}

interface Auth {
  readonly credential: Credential | undefined;
  /** The public API as the signed-in user; only defined while signed in. */
  readonly client: AgentOrchestratorClient | undefined;
  signIn(credential: Credential): void;
  signOut(): void;
}

const AuthContext = createContext<Auth | undefined>(undefined);

export function AuthProvider({ children }: { children: ReactNode }) {
  const queries = useQueryClient();
  const [credential, setCredential] = useState<Credential | undefined>(kept);
  const client = useMemo(() => (credential ? clientFor(credential) : undefined), [credential]);
  const signIn = useCallback((next: Credential) => {
    sessionStorage.setItem(storageKey, JSON.stringify(next));
    queries.clear();
    setCredential(next);
  }, [queries]);
  const signOut = useCallback(() => {
    sessionStorage.removeItem(storageKey);
    if (credential?.kind === 'token') void userManagerFor(credential.sso).removeUser();
    queries.clear();
    setCredential(undefined);
  }, [queries, credential]);

  // A single sign-on session that runs out (no refresh token, or the renewal failed) signs the console out.
  useEffect(() => {
    if (credential?.kind !== 'token') return undefined;
    const { events } = userManagerFor(credential.sso);
    events.addAccessTokenExpired(signOut);
    events.addUserSignedOut(signOut);
    return () => {
      events.removeAccessTokenExpired(signOut);
      events.removeUserSignedOut(signOut);
    };
  }, [credential, signOut]);

  const auth = useMemo(() => ({ credential, client, signIn, signOut }), [credential, client, signIn, signOut]);
  return <AuthContext.Provider value={auth}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
}

/** The client of the signed-in user, for pages (which render only while signed in). */
export function useClient(): AgentOrchestratorClient {
  const { client } = useAuth();
  if (!client) throw new Error('useClient while signed out');
  return client;
}
