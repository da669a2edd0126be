import { Card, Group, Progress, Stack, Text, Title } from '@mantine/core';
import { formatEta, percentDone } from './format';
import type { Operation } from './queries';

function Count({ label, value, color }: { label: string; value: number; color: string }) {
  return (
    <Group gap={6} wrap="nowrap" data-count={label}>
      <span aria-hidden style={{ width: 10, height: 10, borderRadius: 2, background: `var(--mantine-color-${color}-6)` }} />
      <Text size="sm">
        <b>{value.toLocaleString()}</b> {label}
      </Text>
    </Group>
  );
}

/** Done of total as a bar split by outcome, the ETA while it runs, and the three counts. */
export function RunProgress({ operation }: { operation: Operation }) {
  const { total, done, succeeded, failed, skipped, status } = operation;
  const share = (count: number) => (total === 0 ? 0 : (count / total) * 100);
  const eta = status === 'running' ? formatEta(operation.etaSeconds) : undefined;
  const words = `${done.toLocaleString()} of ${total.toLocaleString()} done (${percentDone(operation)}%)`;
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="progress">
      <Stack gap="sm">
        <Group justify="space-between" gap="xs">
          <Title order={2} size="h4" id="progress">
            Progress
          </Title>
          <Text size="sm" c="dimmed" data-testid="operation-eta">
            {status === 'paused' ? 'Paused: nothing more is done until it is resumed' : eta ?? (status === 'running' ? 'estimating…' : '')}
          </Text>
        </Group>
        {/* Each section is a progressbar of its own to a screen reader: each is named by what it counts. */}
        <Progress.Root size="xl">
          <Progress.Section value={share(succeeded)} color="green" animated={status === 'running'} striped={status === 'running'} aria-label={`${succeeded} of ${total} succeeded`} />
          <Progress.Section value={share(failed)} color="red" aria-label={`${failed} of ${total} failed`} />
          <Progress.Section value={share(skipped)} color="gray" aria-label={`${skipped} of ${total} skipped`} />
        </Progress.Root>
        <Group justify="space-between" gap="sm">
          <Text size="sm" fw={600} data-testid="operation-progress" aria-live="polite">
            {words}
          </Text>
          <Group gap="md">
            <Count label="succeeded" value={succeeded} color="green" />
            <Count label="failed" value={failed} color="red" />
            <Count label="skipped" value={skipped} color="gray" />
          </Group>
        </Group>
      </Stack>
    </Card>
  );
}
