import { createClient } from '@agent-orchestrator/client';
import { Alert, Button, Center, Divider, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useLocation } from 'react-router';
import { explain } from '../shell/explain';
import { useAuth } from './credentials';
import { userManagerFor, type SignInState, type SsoOptions } from './sso';
import { refusalOf } from './verify';

function useSsoOptions() {
  return useQuery({ queryKey: ['sign-in-options'], queryFn: () => createClient({ baseUrl: window.location.origin }).signInOptions(), staleTime: 5 * 60_000 });
}

function SsoButton({ sso, onFailure }: { sso: SsoOptions; onFailure(message: string): void }) {
  const location = useLocation();
  const [leaving, setLeaving] = useState(false);
  async function go() {
    setLeaving(true);
    try {
      // Back to the page the user asked for once the provider is done.
      const state: SignInState = { returnTo: `${location.pathname}${location.search}` };
      await userManagerFor(sso).signinRedirect({ state });
    } catch (failure) {
      setLeaving(false);
      onFailure(`The identity provider at ${sso.issuer} could not be reached: ${explain(failure)}`);
    }
  }
  return <Button onClick={go} loading={leaving} size="md">Sign in with SSO</Button>;
}

export function SignInPage() {
  const { signIn } = useAuth();
  const location = useLocation();
  const options = useSsoOptions();
  const [apiKey, setApiKey] = useState('');
  // A failed single sign-on comes back here with its reason.
  const [error, setError] = useState<string | undefined>((location.state as { signInError?: string } | null)?.signInError);
  const [checking, setChecking] = useState(false);
  const sso = options.data?.oidc ?? undefined;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const credential = { kind: 'apiKey', apiKey: apiKey.trim() } as const;
    setChecking(true);
    setError(undefined);
    const refusal = await refusalOf(credential);
    setChecking(false);
    if (refusal) setError(refusal);
    else signIn(credential);
  }

  return (
    <Center mih="100vh" p="md">
      <Paper component="main" withBorder shadow="sm" p="xl" w={420} maw="100%">
        <Stack>
          <Title order={1} size="h2">Agent Orchestrator</Title>
          <Text c="dimmed" size="sm">Sign in to decide approvals, follow sessions and manage your tenant.</Text>
          {error && <Alert color="red" title="Not signed in" role="alert">{error}</Alert>}
          {sso && (
            <>
              <SsoButton sso={sso} onFailure={setError} />
              <Divider label="or with an API key" labelPosition="center" />
            </>
          )}
          <form onSubmit={submit}>
            <Stack>
              <PasswordInput label="API key" value={apiKey} onChange={(event) => setApiKey(event.currentTarget.value)} required autoComplete="off" />
              <Button type="submit" loading={checking} variant={sso ? 'default' : 'filled'}>Sign in</Button>
            </Stack>
          </form>
        </Stack>
      </Paper>
    </Center>
  );
}
