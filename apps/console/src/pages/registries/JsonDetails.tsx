import { Code, Collapse, UnstyledButton, Group, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useId } from 'react';

/** Raw JSON behind a disclosure button, for whoever wants the exact shape. */
export function JsonDetails({ label, value }: { label: string; value: unknown }) {
  const [opened, { toggle }] = useDisclosure(false);
  const id = useId();
  return (
    <div>
      <UnstyledButton onClick={toggle} aria-expanded={opened} aria-controls={id} py={4}>
        <Group gap={6}>
          <Text size="sm" c="var(--mantine-color-anchor)" component="span" aria-hidden>
            {opened ? '▾' : '▸'}
          </Text>
          <Text size="sm" c="var(--mantine-color-anchor)" component="span">
            {label}
          </Text>
        </Group>
      </UnstyledButton>
      <Collapse expanded={opened} id={id}>
        <Code block style={{ maxHeight: 400, overflow: 'auto' }} tabIndex={0} aria-label={label}>
          {JSON.stringify(value, null, 2)}
        </Code>
      </Collapse>
    </div>
  );
}
