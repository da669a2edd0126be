import { createClient } from '@agent-orchestrator/client';
import { Center, Loader, Stack, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { Navigate, useNavigate } from 'react-router';
import { explain } from '../shell/explain';
import { useAuth, type Credential } from './credentials';
import { callbackPath, userManagerFor, type SignInState } from './sso';
import { refusalOf } from './verify';

interface Completed {
  readonly credential: Credential;
  readonly returnTo: string;
}

// Where to go once signed in: kept across the switch from the signed-out routes to the signed-in ones.
const returnToKey = 'agent-orchestrator.console.return-to';

// One exchange per callback URL: React's development double effect must not spend the code twice.
const exchanges = new Map<string, Promise<Completed>>();

async function exchange(): Promise<Completed> {
  const { oidc } = await createClient({ baseUrl: window.location.origin }).signInOptions();
  if (!oidc) throw new Error('Single sign-on is not configured on this platform any more: sign in with an API key.');
  const manager = userManagerFor(oidc);
  const user = await manager.signinCallback();
  if (!user) throw new Error('The identity provider sent no sign-in back: try again.');
  const credential: Credential = { kind: 'token', sso: oidc };
  const refusal = await refusalOf(credential);
  if (refusal) {
    await manager.removeUser();
    throw new Error(refusal);
  }
  const returnTo = (user.state as SignInState | undefined)?.returnTo;
  return { credential, returnTo: returnTo?.startsWith('/') && !returnTo.startsWith('//') && !returnTo.startsWith(callbackPath) ? returnTo : '/' };
}

/** Where the identity provider sends the browser back: trades the code for tokens, checks them with the gateway, and goes where the user was. */
export function SignInCallback() {
  const { signIn } = useAuth();
  const navigate = useNavigate();
  useEffect(() => {
    const url = window.location.href;
    let pending = exchanges.get(url);
    if (!pending) {
      pending = exchange();
      exchanges.set(url, pending);
    }
    let current = true;
    pending.then(
      ({ credential, returnTo }) => {
        if (!current) return;
        // The signed-in routes take it from here (ReturnAfterSignIn), on this same address.
        sessionStorage.setItem(returnToKey, returnTo);
        signIn(credential);
      },
      (failure: unknown) => {
        if (current) navigate('/', { replace: true, state: { signInError: explain(failure) } });
      },
    );
    return () => {
      current = false;
    };
  }, [navigate, signIn]);
  return (
    <Center mih="100vh" p="md" component="main">
      <Stack align="center">
        <Title order={1} size="h3">Signing you in…</Title>
        <Loader aria-label="Signing you in" />
      </Stack>
    </Center>
  );
}

/** The signed-in app on the callback's address: on to the page the user asked for before leaving for the provider. */
export function ReturnAfterSignIn() {
  const [returnTo] = useState(() => sessionStorage.getItem(returnToKey) ?? '/');
  useEffect(() => sessionStorage.removeItem(returnToKey), []);
  return <Navigate to={returnTo} replace />;
}
