import { ActionIcon, Button, Group, Input, Stack, TextInput } from '@mantine/core';

/** Security scheme → secret name pairs (the tool's `credentials`): one row each. */
export function CredentialsInput({ value, onChange, description, error }: { value: [string, string][]; onChange: (next: [string, string][]) => void; description?: string; error?: string }) {
  const set = (index: number, pair: [string, string]) => onChange(value.map((entry, at) => (at === index ? pair : entry)));
  return (
    <Input.Wrapper label="Credentials" description={description} error={error}>
      <Stack gap="xs" mt={4}>
        {value.map(([scheme, secret], index) => (
          <Group key={index} gap="xs" wrap="nowrap" align="flex-end">
            <TextInput label="Security scheme" size="xs" value={scheme} onChange={(event) => set(index, [event.currentTarget.value, secret])} style={{ flex: 1 }} />
            <TextInput label="Secret name" size="xs" value={secret} onChange={(event) => set(index, [scheme, event.currentTarget.value])} style={{ flex: 1 }} />
            <ActionIcon variant="subtle" color="red" aria-label={`Remove credential ${index + 1}`} onClick={() => onChange(value.filter((_, at) => at !== index))} mb={2}>
              ✕
            </ActionIcon>
          </Group>
        ))}
        <Button variant="light" size="xs" onClick={() => onChange([...value, ['', '']])} style={{ alignSelf: 'flex-start' }}>
          Add a credential
        </Button>
      </Stack>
    </Input.Wrapper>
  );
}
