import { ActionIcon, Button, Card, Group, Input, Menu, Stack, Text } from '@mantine/core';
import type { JsonSchema } from './json-schema';
import { SchemaField, type FieldProps } from './SchemaField';

/** The `type` a oneOf branch fixes (`{"type": {"enum": ["blocked_terms"]}}`), which names the branch. */
function kindOf(branch: JsonSchema): string | undefined {
  const kind = branch.properties?.type;
  return kind?.enum?.length === 1 ? String(kind.enum[0]) : undefined;
}

/**
 * A list whose items each take one of several shapes (a guardrail is blocked_terms or
 * max_output_chars): each item's own fields, from the branch its `type` names.
 */
export function VariantListInput({ schema, value, onChange, pointer, errorFor, touch, label, size }: FieldProps & { label: string }) {
  const branches = (schema.items?.oneOf ?? []).filter((branch) => kindOf(branch) !== undefined);
  const items = (value as Record<string, unknown>[] | undefined) ?? [];
  const set = (index: number, item: Record<string, unknown>) => onChange(items.map((entry, at) => (at === index ? item : entry)));
  const add = (kind: string) => {
    touch(pointer);
    onChange([...items, { type: kind }]);
  };
  return (
    <Input.Wrapper label={label} description={schema.description} error={errorFor(pointer)}>
      <Stack gap="xs" mt={4}>
        {items.map((item, index) => {
          const branch = branches.find((candidate) => kindOf(candidate) === item.type);
          const required = new Set(branch?.required ?? []);
          return (
            <Card key={index} withBorder padding="sm">
              <Group justify="space-between" mb={4} wrap="nowrap">
                <Text size="sm" fw={600}>{String(item.type)}</Text>
                <ActionIcon variant="subtle" color="red" aria-label={`Remove ${label.toLowerCase()} ${index + 1}`} onClick={() => { touch(pointer); onChange(items.filter((_, at) => at !== index)); }}>
                  ✕
                </ActionIcon>
              </Group>
              <Stack gap="xs">
                {Object.entries(branch?.properties ?? {})
                  .filter(([key]) => key !== 'type')
                  .map(([key, property]) => (
                    <SchemaField key={key} name={key} schema={property} value={item[key]} pointer={`${pointer}/${index}/${key}`} errorFor={errorFor} touch={touch} required={required.has(key)} size={size ?? 'sm'}
                      onChange={(next) => set(index, next === undefined ? Object.fromEntries(Object.entries(item).filter(([at]) => at !== key)) : { ...item, [key]: next })} />
                  ))}
              </Stack>
            </Card>
          );
        })}
        <Menu position="bottom-start">
          <Menu.Target>
            <Button variant="light" size="xs" style={{ alignSelf: 'flex-start' }}>Add {label.toLowerCase().replace(/s$/, '')}</Button>
          </Menu.Target>
          <Menu.Dropdown>
            {branches.map((branch) => (
              <Menu.Item key={kindOf(branch)} onClick={() => add(kindOf(branch)!)}>{kindOf(branch)}</Menu.Item>
            ))}
          </Menu.Dropdown>
        </Menu>
      </Stack>
    </Input.Wrapper>
  );
}
