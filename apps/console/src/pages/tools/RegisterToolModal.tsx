import type { BodyOf } from '@agent-orchestrator/client';
import { Alert, Button, Fieldset, Group, Modal, NumberInput, SegmentedControl, Stack, TagsInput, Text, Textarea, TextInput } from '@mantine/core';
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

type Source = 'document' | 'url' | 'mcp';
interface Form {
  name: string;
  from: Source;
  document: string;
  url: string;
  mcpUrl: string;
  mcpSecret: string;
  description: string;
  scopes: string[];
  rateLimit: number | string;
  credentials: [string, string][];
  onlyTags: string[];
  onlyPaths: string[];
  leaveOutTags: string[];
}

/** The registration body from what the form holds: empty optional fields are left out, as the API wants them absent. */
function bodyOf(form: Form): RegisterTool {
  const credentials = form.credentials.filter(([scheme]) => scheme.trim() !== '');
  const include = { ...(form.onlyTags.length > 0 ? { tags: form.onlyTags } : {}), ...(form.onlyPaths.length > 0 ? { pathPrefixes: form.onlyPaths } : {}) };
  const fromDocument = form.from !== 'mcp';
  return {
    name: form.name,
    ...(form.from === 'document' ? { document: form.document } : form.from === 'url' ? { url: form.url } : { mcp: { url: form.mcpUrl, ...(form.mcpSecret.trim() ? { credentials: form.mcpSecret.trim() } : {}) } }),
    ...(form.description.trim() ? { description: form.description } : {}),
    ...(form.scopes.length > 0 ? { scopes: form.scopes } : {}),
    ...(typeof form.rateLimit === 'number' ? { rateLimitPerMinute: form.rateLimit } : {}),
    ...(fromDocument && credentials.length > 0 ? { credentials: Object.fromEntries(credentials) } : {}),
    ...(fromDocument && Object.keys(include).length > 0 ? { include } : {}),
    ...(fromDocument && form.leaveOutTags.length > 0 ? { exclude: { tags: form.leaveOutTags } } : {}),
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
  const [form, setForm] = useState<Form>({ name: '', from: 'document', document: '', url: '', mcpUrl: '', mcpSecret: '', description: '', scopes: [], rateLimit: '', credentials: [], onlyTags: [], onlyPaths: [], leaveOutTags: [] });
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
  const change = <K extends keyof Form>(key: K, pointer: string) => (value: Form[K]) => {
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
          <Text size="sm" fw={500} id="tool-source-label">What the tool calls</Text>
          <SegmentedControl
            aria-labelledby="tool-source-label"
            value={form.from}
            onChange={(value) => change('from', value === 'url' ? '#/url' : value === 'mcp' ? '#/mcp' : '#/document')(value as Source)}
            data={[
              { value: 'document', label: 'Paste a document' },
              { value: 'url', label: 'Document URL' },
              { value: 'mcp', label: 'MCP server' },
            ]}
          />
          {form.from === 'document' && (
            <Textarea label="OpenAPI or Swagger 2.0 document (JSON or YAML)" required autosize minRows={6} maxRows={16} styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }} value={form.document} onChange={(event) => change('document', '#/document')(event.currentTarget.value)} error={checked.errorFor('#/document')} />
          )}
          {form.from === 'url' && (
            <TextInput label="Document URL" required description="An OpenAPI or Swagger 2.0 document, up to 32 MB, fetched through your egress allow-list." placeholder="https://api.example.com/openapi.json" value={form.url} onChange={(event) => change('url', '#/url')(event.currentTarget.value)} error={checked.errorFor('#/url')} />
          )}
          {form.from === 'mcp' && (
            <>
              <TextInput label="MCP server URL" required description="Its streamable HTTP endpoint; its tools are listed and pinned as this version." placeholder="https://tools.example.com/mcp" value={form.mcpUrl} onChange={(event) => change('mcpUrl', '#/mcp/url')(event.currentTarget.value)} error={checked.errorFor('#/mcp/url') ?? checked.errorFor('#/mcp')} />
              <TextInput label="Bearer token secret" description="The name of a secret sent as the bearer token. Leave empty when the server needs none." placeholder="tools-token" value={form.mcpSecret} onChange={(event) => change('mcpSecret', '#/mcp/credentials')(event.currentTarget.value)} error={checked.errorFor('#/mcp/credentials')} autoComplete="off" />
            </>
          )}
        </Stack>
        <Textarea label="Description" autosize minRows={2} value={form.description} onChange={(event) => change('description', '#/description')(event.currentTarget.value)} error={checked.errorFor('#/description')} />
        <TagsInput label="Scopes" description={fields.scopes?.description} placeholder="Type a scope, then Enter" value={form.scopes} onChange={change('scopes', '#/scopes')} error={checked.errorFor('#/scopes')} />
        <NumberInput label="Rate limit (calls a minute)" description="Empty: the platform default." min={1} allowDecimal={false} value={form.rateLimit} onChange={change('rateLimit', '#/rateLimitPerMinute')} error={checked.errorFor('#/rateLimitPerMinute')} />
        {form.from !== 'mcp' && (
          <>
            <CredentialsInput description={fields.credentials?.description} value={form.credentials} onChange={change('credentials', '#/credentials')} error={checked.errorFor('#/credentials')} />
            <Fieldset legend="Choose operations (optional)" variant="filled">
              <Stack gap="sm">
                <TagsInput label="Only operations tagged" placeholder="Type a tag, then Enter" value={form.onlyTags} onChange={change('onlyTags', '#/include/tags')} error={checked.errorFor('#/include/tags')} />
                <TagsInput label="Only paths starting with" placeholder="/orders, then Enter" value={form.onlyPaths} onChange={change('onlyPaths', '#/include/pathPrefixes')} error={checked.errorFor('#/include/pathPrefixes')} />
                <TagsInput label="Leave out operations tagged" placeholder="Type a tag, then Enter" value={form.leaveOutTags} onChange={change('leaveOutTags', '#/exclude/tags')} error={checked.errorFor('#/exclude/tags')} />
              </Stack>
            </Fieldset>
          </>
        )}
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
