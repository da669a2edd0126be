import { Badge, Card, Code, Group, Stack, Text, Title } from '@mantine/core';
import type { JsonSchema } from '../registries/json-schema';
import { JsonDetails } from '../registries/JsonDetails';
import { SchemaView } from '../registries/SchemaView';
import type { ToolOperation } from './queries';

// Shade 9 of each: white on them reads at AA contrast.
const methodColours: Record<string, string> = { get: 'blue.9', post: 'teal.9', put: 'grape.9', patch: 'indigo.9', delete: 'red.9' };

export function OperationCard({ operation }: { operation: ToolOperation }) {
  return (
    <Card withBorder padding="md" component="section" aria-labelledby={`operation-${operation.name}`}>
      <Stack gap="xs">
        <Group gap="xs" wrap="wrap">
          <Badge color={methodColours[operation.method] ?? 'dark.6'} variant="filled" radius="sm">{operation.method.toUpperCase()}</Badge>
          <Code style={{ overflowWrap: 'anywhere' }}>{operation.path}</Code>
        </Group>
        <Group gap="xs" wrap="wrap">
          <Title order={3} size="h5" id={`operation-${operation.name}`}>{operation.name}</Title>
          {operation.idempotent ? <Badge size="sm" variant="dot" color="teal" tt="none">idempotent</Badge> : <Badge size="sm" variant="default" tt="none">not idempotent</Badge>}
        </Group>
        {operation.description && <Text size="sm">{operation.description}</Text>}
        <Text size="sm" fw={600} mt={4}>Arguments</Text>
        <SchemaView schema={operation.inputSchema as JsonSchema} />
        <JsonDetails label={`Raw schema of ${operation.name}`} value={operation.inputSchema} />
      </Stack>
    </Card>
  );
}
