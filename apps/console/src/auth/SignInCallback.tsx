import { createClient } from '@agent-orchestrator/client';
import { Center, Loader, Stack, Title } from '@mantine/core';
import { useEffect } from 'react';
import { useNavigate } from 'react-router';
import { explain } from '../shell/explain';
import { useAuth, type Credential } from './credentials';
import { callbackPath, userManagerFor, type SignInState } from './sso';
import { refusalOf } from './verify';

interface Completed {
  readonly credential: Credential;
  readonly returnTo: string;
}

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
        navigate(returnTo, { replace: true });
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
