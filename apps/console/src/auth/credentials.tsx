import { createClient, type AgentOrchestratorClient } from '@agent-orchestrator/client';
import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

/** How the console speaks for its user: an API key, or a bearer token from single sign-on. */
export type Credential = { readonly kind: 'apiKey'; readonly apiKey: string } | { readonly kind: 'token'; readonly token: string; readonly expiresAt?: number };

// Kept for the tab (sessionStorage), never in localStorage: closing the tab signs out, and another tab signs in on its own.
const storageKey = 'agent-orchestrator.console.credential';

function kept(): Credential | undefined {
  try {
    const text = sessionStorage.getItem(storageKey);
    return text ? (JSON.parse(text) as Credential) : undefined;
  } catch {
    return undefined;
  }
}

export function clientFor(credential: Credential, baseUrl = window.location.origin): AgentOrchestratorClient {
  return createClient({ baseUrl, ...(credential.kind === 'apiKey' ? { apiKey: credential.apiKey } : { token: credential.token }) });
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
    queries.clear();
    setCredential(undefined);
  }, [queries]);
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
