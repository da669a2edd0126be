import { ActionIcon, Card, Group, Stack, Text } from '@mantine/core';
import { SchemaField, withField } from '../registries/SchemaField';
import { defaultApproval, ruleSchema } from './policy-form';
import type { PolicyRule } from './queries';

type Rule = Partial<PolicyRule>;

/**
 * One rule's fields, from the rule schema: approval settings appear when (and only when) the
 * effect is require_approval, as the API requires.
 */
export function RuleEditor({ rule, index, count, onChange, onRemove, onMove, errorFor, touch }: {
  rule: Rule;
  index: number;
  count: number;
  onChange: (rule: Rule) => void;
  onRemove: () => void;
  onMove: (by: -1 | 1) => void;
  errorFor: (pointer: string) => string | undefined;
  touch: (pointer: string) => void;
}) {
  const pointer = `#/rules/${index}`;
  const properties = ruleSchema.properties ?? {};
  const required = new Set(ruleSchema.required ?? []);
  const set = (key: string, value: unknown) => {
    let next = withField(rule, key, value) as Rule;
    if (key === 'effect') next = value === 'require_approval' ? { ...next, approval: (rule.approval ?? defaultApproval()) as Rule['approval'] } : (withField(next, 'approval', undefined) as Rule);
    onChange(next);
  };
  const field = (key: string) =>
    properties[key] && (
      <SchemaField name={key} schema={properties[key]} value={(rule as Record<string, unknown>)[key]} pointer={`${pointer}/${key}`} errorFor={errorFor} touch={touch} required={required.has(key)} onChange={(value) => set(key, value)} size="sm" />
    );
  const title = `Rule ${index + 1}${rule.id ? `: ${rule.id}` : ''}`;
  return (
    <Card withBorder padding="sm" component="fieldset" aria-label={title} style={{ margin: 0, minWidth: 0 }}>
      <Group justify="space-between" wrap="nowrap" mb="xs">
        <Text fw={600} size="sm" style={{ overflowWrap: 'anywhere' }}>{title}</Text>
        <Group gap={4} wrap="nowrap">
          <ActionIcon variant="subtle" aria-label={`Move rule ${index + 1} up`} disabled={index === 0} onClick={() => onMove(-1)}>↑</ActionIcon>
          <ActionIcon variant="subtle" aria-label={`Move rule ${index + 1} down`} disabled={index === count - 1} onClick={() => onMove(1)}>↓</ActionIcon>
          <ActionIcon variant="subtle" color="red" aria-label={`Remove rule ${index + 1}`} onClick={onRemove}>✕</ActionIcon>
        </Group>
      </Group>
      <Stack gap="xs">
        <Group grow align="flex-start" wrap="wrap">
          {field('id')}
          {field('effect')}
        </Group>
        {field('description')}
        {field('match')}
        {rule.effect === 'require_approval' && field('approval')}
      </Stack>
    </Card>
  );
}
