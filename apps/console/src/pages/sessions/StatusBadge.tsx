import { Badge } from '@mantine/core';
import { sessionStatusColors, sessionStatusLabels, type SessionStatus } from './format';

export function SessionStatusBadge({ status }: { status: string }) {
  const known = status in sessionStatusLabels ? (status as SessionStatus) : undefined;
  return (
    <Badge color={known ? sessionStatusColors[known] : 'gray'} variant="light" data-status={status}>
      {known ? sessionStatusLabels[known] : status}
    </Badge>
  );
}
