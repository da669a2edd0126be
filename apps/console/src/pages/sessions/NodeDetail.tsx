import { Code, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { EventJson } from './EventJson';
import { ToneBadge } from './StatusBadge';
import { formatCost, formatDuration, formatStarted, formatTokens, nodeStatusColors, nodeStatusLabels } from './format';
import type { RunNode } from './session-tree';

/** A tool's answer and a step's output are often JSON in a string: shown indented when they are. */
function readable(result: string): string {
  try {
    return JSON.stringify(JSON.parse(result), null, 2);
  } catch {
    return result;
  }
}

export function NodeDetail({ node }: { node: RunNode }) {
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="node-detail-title">
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Title order={2} size="h4" id="node-detail-title" style={{ overflowWrap: 'anywhere' }}>
            {node.title}
          </Title>
          <ToneBadge color={nodeStatusColors[node.status]}>
            {nodeStatusLabels[node.status]}
          </ToneBadge>
        </Group>
        {node.subtitle && (
          <Text size="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
            {node.subtitle}
          </Text>
        )}
        <SimpleGrid cols={2} spacing="xs">
          <Text size="sm">Started: {formatStarted(node.startedAt)}</Text>
          <Text size="sm">Duration: {formatDuration(node.startedAt, node.endedAt)}</Text>
          <Text size="sm">Tokens: {formatTokens(node.inputTokens, node.outputTokens)}</Text>
          <Text size="sm">Cost: {formatCost(node.costUsd)}</Text>
        </SimpleGrid>
        {node.result !== undefined && node.result !== '' && (
          <div>
            <Text size="sm" fw={600} mb={4}>
              Result
            </Text>
            <Code block tabIndex={0} style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', maxHeight: '16rem', overflow: 'auto' }} data-testid="node-result">
              {readable(node.result)}
            </Code>
          </div>
        )}
        <div>
          <Text size="sm" fw={600} mb={4}>
            Events ({node.events.length})
          </Text>
          {node.events.length === 0 ? (
            <Text size="sm" c="dimmed">
              None yet.
            </Text>
          ) : (
            node.events.map((event) => <EventJson key={event.eventId} event={event} />)
          )}
        </div>
      </Stack>
    </Paper>
  );
}
