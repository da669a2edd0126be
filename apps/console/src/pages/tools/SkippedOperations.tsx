import { Card, Code, Stack, Text, Title } from '@mantine/core';
import type { Tool } from './queries';

type Skipped = NonNullable<Tool['skipped']>[number];

/**
 * What the document describes but the platform cannot call, and why: shown beside the operations
 * so nobody wonders where an endpoint went.
 */
export function SkippedOperations({ skipped }: { skipped: readonly Skipped[] }) {
  if (skipped.length === 0) return null;
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="skipped-operations" style={{ borderColor: 'var(--mantine-color-yellow-6)' }}>
      <Title order={2} size="h4" id="skipped-operations" mb={4}>
        Skipped operations ({skipped.length})
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        The document describes these, but the platform cannot call them as they are; agents are not offered them.
      </Text>
      <Stack gap="sm" component="ul" m={0} p={0} style={{ listStyle: 'none' }}>
        {skipped.map((operation) => (
          <li key={`${operation.method} ${operation.path}`}>
            <Code style={{ overflowWrap: 'anywhere' }}>{`${operation.method.toUpperCase()} ${operation.path}`}</Code>
            {operation.operationId && (
              <Text span size="xs" c="dimmed" ml={6} style={{ overflowWrap: 'anywhere' }}>
                {operation.operationId}
              </Text>
            )}
            <Text size="sm" mt={2}>
              {operation.reason.charAt(0).toUpperCase() + operation.reason.slice(1)}
            </Text>
          </li>
        ))}
      </Stack>
    </Card>
  );
}
