import { Group, Progress, Text } from '@mantine/core';
import { ToneBadge } from '../sessions/StatusBadge';
import { labelOf, outcomeColors, percentDone, statusColors, statusLabels, type ItemOutcome } from './format';
import type { Operation } from './queries';

export function OperationStatusBadge({ status }: { status: string }) {
  return (
    <ToneBadge color={status in statusColors ? statusColors[status as keyof typeof statusColors] : 'gray'} data-status={status}>
      {labelOf(statusLabels, status)}
    </ToneBadge>
  );
}

export function OutcomeBadge({ outcome }: { outcome: ItemOutcome | null | undefined }) {
  if (!outcome) return <Text span size="sm" c="dimmed">not yet</Text>;
  return (
    <ToneBadge color={outcomeColors[outcome]} data-outcome={outcome}>
      {outcome}
    </ToneBadge>
  );
}

/** A slim bar and "12 / 40" for lists; the detail page has the full account. */
export function ProgressCell({ operation }: { operation: Operation }) {
  const percent = percentDone(operation);
  if (operation.status === 'planned') return <Text size="sm" c="dimmed">{operation.total.toLocaleString()} to do</Text>;
  return (
    <Group gap="xs" wrap="nowrap">
      <Progress value={percent} w={80} size="sm" color={operation.failed > 0 ? 'orange' : undefined} aria-label={`${operation.done} of ${operation.total} done`} />
      <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
        {operation.done.toLocaleString()} / {operation.total.toLocaleString()}
      </Text>
    </Group>
  );
}
