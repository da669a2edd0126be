import { isProblem } from '@agent-orchestrator/client';
import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { explain } from '../shell/explain';
import { clientFor, useAuth } from './credentials';

export function SignInPage() {
  const { signIn } = useAuth();
  const [apiKey, setApiKey] = useState('');
  const [error, setError] = useState<string>();
  const [checking, setChecking] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const credential = { kind: 'apiKey', apiKey: apiKey.trim() } as const;
    setChecking(true);
    setError(undefined);
    try {
      // Checked before it is kept: a wrong key should say so here, not on every page after.
      await clientFor(credential).approvals.list({ limit: 1 });
      signIn(credential);
    } catch (failure) {
      setError(isProblem(failure) && failure.status === 401 ? 'That key was not accepted: check that it was copied whole and has not expired or been revoked.' : explain(failure));
    } finally {
      setChecking(false);
    }
  }

  return (
    <Center mih="100vh" p="md">
      <Paper component="main" withBorder shadow="sm" p="xl" w={420} maw="100%">
        <form onSubmit={submit}>
          <Stack>
            <Title order={1} size="h2">Agent Orchestrator</Title>
            <Text c="dimmed" size="sm">Sign in to decide approvals, follow sessions and manage your tenant.</Text>
            <PasswordInput label="API key" value={apiKey} onChange={(event) => setApiKey(event.currentTarget.value)} required autoComplete="off" />
            {error && <Alert color="red" title="Not signed in" role="alert">{error}</Alert>}
            <Button type="submit" loading={checking}>Sign in</Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
