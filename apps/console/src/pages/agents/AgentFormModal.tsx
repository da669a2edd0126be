import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { registerAgent, updateAgent } from '../registries/request-schemas';
import { useClient } from '../../auth/credentials';
import { explain } from '../../shell/explain';
import { SchemaField, withField } from '../registries/SchemaField';
import { useCheckedForm } from '../registries/useCheckedForm';
import { useTools } from '../tools/queries';
import { createBody, definitionFields, patchBody, requiredOnCreate, valuesOf, type AgentValues } from './agent-form';
import { useAgents, type Agent } from './queries';

/** `New agent` (no `agent`) or `Edit` (a new version of `agent`), in a dialog that fills a phone's screen. */
export function AgentFormModal({ opened, onClose, agent }: { opened: boolean; onClose: () => void; agent?: Agent }) {
  const phone = useMediaQuery('(max-width: 36em)');
  return (
    <Modal opened={opened} onClose={onClose} closeButtonProps={{ 'aria-label': 'Close' }} title={agent ? `Edit ${agent.name}` : 'New agent'} size="lg" fullScreen={phone}>
      {opened && <AgentForm onClose={onClose} agent={agent} />}
    </Modal>
  );
}

function AgentForm({ onClose, agent }: { onClose: () => void; agent?: Agent }) {
  const client = useClient();
  const queries = useQueryClient();
  const navigate = useNavigate();
  const tools = useTools();
  const agents = useAgents();
  const current = useMemo(() => (agent ? valuesOf(agent) : undefined), [agent]);
  const [values, setValues] = useState<AgentValues>(current ?? { tools: [], handoffs: [], guardrails: [] });
  const body = useMemo(() => (current ? patchBody(current, values) : createBody(values)), [current, values]);
  const checked = useCheckedForm(agent ? updateAgent : registerAgent, body);
  const unchanged = agent !== undefined && Object.keys(body).length === 0;

  const save = useMutation({
    mutationFn: async () =>
      agent
        ? (await client.raw.PATCH('/v1/agents/{name}', { params: { path: { name: agent.name } }, body: body as never })).data!
        : (await client.raw.POST('/v1/agents', { body: body as never })).data!,
    onSuccess: async (saved) => {
      await queries.invalidateQueries({ queryKey: ['agents'] });
      onClose();
      if (!agent) navigate(`/agents/${encodeURIComponent(saved.name)}`);
    },
    onError: (failure) => checked.refusedWith(failure),
  });
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    if (!unchanged && checked.mayBeSent()) save.mutate();
  };
  const suggestions: Record<string, readonly string[] | undefined> = {
    tools: tools.data?.map((tool) => tool.name),
    handoffs: agents.data?.map((other) => other.name).filter((name) => name !== agent?.name),
  };
  return (
    <form onSubmit={submit} noValidate aria-label={agent ? `Edit ${agent.name}` : 'New agent'}>
      <Stack gap="md">
        {agent && <Text size="sm" c="dimmed">Saving makes version {agent.version + 1}; sessions already running keep version {agent.version}.</Text>}
        {definitionFields
          .filter(([key]) => !(agent && key === 'name'))
          .map(([key, schema]) => (
            <SchemaField key={key} name={key} schema={schema} value={values[key]} pointer={`#/${key}`} errorFor={checked.errorFor} touch={checked.touch}
              required={requiredOnCreate.has(key)} suggestions={suggestions[key]} onChange={(next) => setValues((before) => withField(before, key, next))} />
          ))}
        {save.isError && (
          <Alert color="red" title={agent ? 'The agent was not changed' : 'The agent was not created'} role="alert">
            {explain(save.error)}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button type="submit" loading={save.isPending} disabled={unchanged}>{agent ? `Save version ${agent.version + 1}` : 'Create agent'}</Button>
        </Group>
      </Stack>
    </form>
  );
}
