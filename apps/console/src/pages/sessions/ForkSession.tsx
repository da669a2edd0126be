import { Alert, Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import type { BodyOf } from '@agent-orchestrator/client';
import { useRoles } from '../../auth/caller';
import { useClient } from '../../auth/credentials';
import { explain } from '../../shell/explain';

type ForkRequest = BodyOf<'/v1/sessions/{sessionId}/fork', 'post'>;

/** Who may fork: whoever may start a session (the gateway's `create Session`). */
export function useMayFork(): boolean {
  return (useRoles() ?? []).some((role) => role === 'operator' || role === 'admin');
}

/**
 * Forks the session at a version of its log: a new session starts with the events up to it and
 * runs on live with what is changed here (another model fixture, an agent version, a model).
 */
export function ForkDialog({ sessionId, atVersion, onClose }: { sessionId: string; atVersion: number; onClose(): void }) {
  const client = useClient();
  const navigate = useNavigate();
  const [modelFixture, setModelFixture] = useState('');
  const [agent, setAgent] = useState('');
  const [model, setModel] = useState('');
  const fork = useMutation({
    mutationFn: async (body: ForkRequest) => (await client.raw.POST('/v1/sessions/{sessionId}/fork', { params: { path: { sessionId } }, body })).data!.sessionId,
    onSuccess: (forked) => void navigate(`/sessions/${encodeURIComponent(forked)}`),
  });
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    fork.mutate({ atVersion, ...(modelFixture.trim() ? { modelFixture: modelFixture.trim() } : {}), ...(agent.trim() ? { agent: agent.trim() } : {}), ...(model.trim() ? { model: model.trim() } : {}) });
  };
  return (
    <Modal opened closeButtonProps={{ 'aria-label': 'Close' }} onClose={onClose} title={`Fork from version ${atVersion}`} centered>
      <form onSubmit={submit}>
        <Stack gap="sm">
          <Text size="sm">A new session starts with this session’s events up to version {atVersion}, then runs live with what you change below. This session is left as it is.</Text>
          <TextInput label="Model fixture" description="A named scripted model in place of the original’s, e.g. demo-upgrade-customer-silver." value={modelFixture} onChange={(event) => setModelFixture(event.currentTarget.value)} maxLength={200} />
          <TextInput label="Agent version" description="One of your agent definitions, as name@version." placeholder="AccountManager@2" value={agent} onChange={(event) => setAgent(event.currentTarget.value)} maxLength={80} />
          <TextInput label="Model" description="The model every run asks for." value={model} onChange={(event) => setModel(event.currentTarget.value)} maxLength={200} />
          {fork.isError && (
            <Alert color="red" role="alert" title="Not forked">
              {explain(fork.error)}
            </Alert>
          )}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit" loading={fork.isPending}>Fork</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
