import { Alert, Button, Group, Modal, Stack, Switch, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { setPolicies } from '../registries/request-schemas';
import { useClient } from '../../auth/credentials';
import { explain } from '../../shell/explain';
import { SchemaField } from '../registries/SchemaField';
import { useCheckedForm } from '../registries/useCheckedForm';
import { useTools } from '../tools/queries';
import { allowedToolsSchema, bodyOf, defaultEffectSchema, formOf, ruleIdErrors, type PolicyForm } from './policy-form';
import type { Policy } from './queries';
import { RuleEditor } from './RuleEditor';

export function PolicyEditorModal({ opened, onClose, policy }: { opened: boolean; onClose: () => void; policy: Policy }) {
  const phone = useMediaQuery('(max-width: 36em)');
  return (
    <Modal opened={opened} onClose={onClose} closeButtonProps={{ 'aria-label': 'Close' }} title={`Edit the policy (v${policy.version} → v${policy.version + 1})`} size="xl" fullScreen={phone}>
      {opened && <PolicyEditor onClose={onClose} policy={policy} />}
    </Modal>
  );
}

function PolicyEditor({ onClose, policy }: { onClose: () => void; policy: Policy }) {
  const client = useClient();
  const queries = useQueryClient();
  const tools = useTools();
  const [form, setForm] = useState<PolicyForm>(() => formOf(policy));
  const body = useMemo(() => bodyOf(form), [form]);
  const duplicates = useMemo(() => ruleIdErrors(form.rules), [form.rules]);
  const checked = useCheckedForm(setPolicies, body, duplicates);
  const save = useMutation({
    mutationFn: async () => (await client.raw.PUT('/v1/policies', { body: body as never })).data!,
    onSuccess: async () => {
      await queries.invalidateQueries({ queryKey: ['policies'] });
      onClose();
    },
    onError: (failure) => checked.refusedWith(failure),
  });
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    if (checked.mayBeSent()) save.mutate();
  };
  const setRules = (rules: PolicyForm['rules']) => setForm((before) => ({ ...before, rules }));
  const move = (index: number, by: -1 | 1) => {
    const rules = [...form.rules];
    [rules[index], rules[index + by]] = [rules[index + by]!, rules[index]!];
    checked.touch('#/rules');
    setRules(rules);
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Edit the policy">
      <Stack gap="md">
        <SchemaField name="defaultEffect" schema={{ ...defaultEffectSchema, description: 'What a call gets when no rule matches it.' }} value={form.defaultEffect} pointer="#/defaultEffect" errorFor={checked.errorFor} touch={checked.touch} required
          onChange={(value) => setForm((before) => ({ ...before, defaultEffect: String(value ?? 'allow') }))} />
        <Stack gap={6}>
          <Switch label="Only allow the tools listed (an allow-list)" checked={form.allowList} onChange={(event) => { const on = event.currentTarget.checked; checked.touch('#/allowedTools'); setForm((before) => ({ ...before, allowList: on })); }} />
          {form.allowList && (
            <SchemaField name="allowedTools" schema={{ ...allowedToolsSchema, description: 'A call of any other tool is denied, whatever the rules say.' }} value={form.allowedTools} pointer="#/allowedTools" errorFor={checked.errorFor} touch={checked.touch}
              suggestions={tools.data?.map((tool) => tool.name)} onChange={(value) => setForm((before) => ({ ...before, allowedTools: (value as string[] | undefined) ?? [] }))} />
          )}
        </Stack>
        <Stack gap="sm">
          <Group justify="space-between">
            <Text fw={600}>Rules ({form.rules.length})</Text>
            <Text size="xs" c="dimmed">Of the rules that match, the strictest wins; among equals, the first.</Text>
          </Group>
          {form.rules.map((rule, index) => (
            <RuleEditor key={index} rule={rule} index={index} count={form.rules.length} errorFor={checked.errorFor} touch={checked.touch}
              onChange={(next) => setRules(form.rules.map((entry, at) => (at === index ? next : entry)))}
              onRemove={() => { checked.touch('#/rules'); setRules(form.rules.filter((_, at) => at !== index)); }}
              onMove={(by) => move(index, by)} />
          ))}
          <Button variant="light" onClick={() => setRules([...form.rules, { id: '', effect: 'deny', match: {} }])} style={{ alignSelf: 'flex-start' }}>
            Add a rule
          </Button>
          {checked.errorFor('#/rules') && !checked.errorFor('#/rules')!.includes('›') && <Text c="red" size="sm" role="alert">{checked.errorFor('#/rules')}</Text>}
        </Stack>
        {save.isError && (
          <Alert color="red" title="The policy was not changed" role="alert">
            {explain(save.error)}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button type="submit" loading={save.isPending}>Save version {policy.version + 1}</Button>
        </Group>
      </Stack>
    </form>
  );
}
