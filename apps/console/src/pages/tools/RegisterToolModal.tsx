import type { BodyOf } from '@agent-orchestrator/client';
import { Alert, Button, Group, Modal, NumberInput, SegmentedControl, Stack, TagsInput, Text, Textarea, TextInput } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { registerTool, schemas } from '../registries/request-schemas';
import { useClient } from '../../auth/credentials';
import { explain } from '../../shell/explain';
import { useCheckedForm } from '../registries/useCheckedForm';
import { CredentialsInput } from './CredentialsInput';

type RegisterTool = BodyOf<'/v1/tools', 'post'>;
const fields = schemas.registerTool.properties!;

/** The registration body from what the form holds: empty optional fields are left out, as the API wants them absent. */
function bodyOf(form: { name: string; from: 'document' | 'url'; document: string; url: string; description: string; scopes: string[]; rateLimit: number | string; credentials: [string, string][] }): RegisterTool {
  const credentials = form.credentials.filter(([scheme]) => scheme.trim() !== '');
  return {
    name: form.name,
    ...(form.from === 'document' ? { document: form.document } : { url: form.url }),
    ...(form.description.trim() ? { description: form.description } : {}),
    ...(form.scopes.length > 0 ? { scopes: form.scopes } : {}),
    ...(typeof form.rateLimit === 'number' ? { rateLimitPerMinute: form.rateLimit } : {}),
    ...(credentials.length > 0 ? { credentials: Object.fromEntries(credentials) } : {}),
  };
}

export function RegisterToolModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const phone = useMediaQuery('(max-width: 36em)');
  return (
    <Modal opened={opened} onClose={onClose} closeButtonProps={{ 'aria-label': 'Close' }} title="Register tool" size="lg" fullScreen={phone}>
      {opened && <RegisterToolForm onClose={onClose} />}
    </Modal>
  );
}

function RegisterToolForm({ onClose }: { onClose: () => void }) {
  const client = useClient();
  const queries = useQueryClient();
  const navigate = useNavigate();
  const [form, setForm] = useState({ name: '', from: 'document' as 'document' | 'url', document: '', url: '', description: '', scopes: [] as string[], rateLimit: '' as number | string, credentials: [] as [string, string][] });
  const body = useMemo(() => bodyOf(form), [form]);
  const checked = useCheckedForm(registerTool, body);
  const register = useMutation({
    mutationFn: async (tool: RegisterTool) => (await client.raw.POST('/v1/tools', { body: tool })).data!,
    onSuccess: async (tool) => {
      await queries.invalidateQueries({ queryKey: ['tools'] });
      onClose();
      navigate(`/tools/${encodeURIComponent(tool.name)}`);
    },
    onError: (failure) => checked.refusedWith(failure),
  });
  const change = <K extends keyof typeof form>(key: K, pointer: string) => (value: (typeof form)[K]) => {
    checked.touch(pointer);
    setForm((before) => ({ ...before, [key]: value }));
  };
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    if (checked.mayBeSent()) register.mutate(body);
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <TextInput label="Name" required description={fields.name?.description} value={form.name} onChange={(event) => change('name', '#/name')(event.currentTarget.value)} error={checked.errorFor('#/name')} autoComplete="off" data-autofocus />
        <Stack gap={6}>
          <Text size="sm" fw={500} id="tool-source-label">OpenAPI document</Text>
          <SegmentedControl
            aria-labelledby="tool-source-label"
            value={form.from}
            onChange={(value) => change('from', value === 'url' ? '#/url' : '#/document')(value as 'document' | 'url')}
            data={[{ value: 'document', label: 'Paste it' }, { value: 'url', label: 'From a URL' }]}
          />
          {form.from === 'document' ? (
            <Textarea label="Document (JSON or YAML)" required autosize minRows={6} maxRows={16} styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }} value={form.document} onChange={(event) => change('document', '#/document')(event.currentTarget.value)} error={checked.errorFor('#/document')} />
          ) : (
            <TextInput label="Document URL" required description={fields.url?.description} placeholder="https://api.example.com/openapi.json" value={form.url} onChange={(event) => change('url', '#/url')(event.currentTarget.value)} error={checked.errorFor('#/url')} />
          )}
        </Stack>
        <Textarea label="Description" autosize minRows={2} value={form.description} onChange={(event) => change('description', '#/description')(event.currentTarget.value)} error={checked.errorFor('#/description')} />
        <TagsInput label="Scopes" description={fields.scopes?.description} placeholder="Type a scope, then Enter" value={form.scopes} onChange={change('scopes', '#/scopes')} error={checked.errorFor('#/scopes')} />
        <NumberInput label="Rate limit (calls a minute)" description="Empty: the platform default." min={1} allowDecimal={false} value={form.rateLimit} onChange={change('rateLimit', '#/rateLimitPerMinute')} error={checked.errorFor('#/rateLimitPerMinute')} />
        <CredentialsInput description={fields.credentials?.description} value={form.credentials} onChange={change('credentials', '#/credentials')} error={checked.errorFor('#/credentials')} />
        {register.isError && (
          <Alert color="red" title="The tool was not registered" role="alert">
            {explain(register.error)}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button type="submit" loading={register.isPending}>Register</Button>
        </Group>
      </Stack>
    </form>
  );
}
