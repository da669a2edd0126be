import { Badge, Text } from '@mantine/core';
import type { Approval } from './approval';
import { duration, useNow } from './time';

// Under an hour left is worth a reviewer's attention; under ten minutes, at once.
const colourFor = (ms: number) => (ms <= 10 * 60_000 ? 'red' : ms <= 60 * 60_000 ? 'orange' : 'gray');

/** A badge counting down to the item's expiry (in the list). */
export function TimeLeftBadge({ approval }: { approval: Pick<Approval, 'expiresAt'> }) {
  const left = Date.parse(approval.expiresAt) - useNow();
  return (
    <Badge variant="light" color={colourFor(left)} size="sm" tt="none" style={{ flexShrink: 0 }}>
      {left > 0 ? `${duration(left)} left` : 'expired'}
    </Badge>
  );
}

const onExpiryWords: Record<string, string> = {
  fail: 'the call is not made and the agent is told so',
  escalate: 'it escalates to an admin',
};

/** The live countdown in the detail (of a pending item), with what happens at the end. */
export function TimeLeft({ approval }: { approval: Pick<Approval, 'expiresAt' | 'onExpiry'> }) {
  const left = Date.parse(approval.expiresAt) - useNow();
    return (
    <Text size="sm">
      <Text span fw={600} c={left <= 10 * 60_000 ? 'red' : undefined} role="timer" aria-live="off">
        {left > 0 ? `${duration(left)} left` : 'Expiring now'}
      </Text>{' '}
      (until {new Date(approval.expiresAt).toLocaleString()}); then {onExpiryWords[approval.onExpiry] ?? approval.onExpiry}.
    </Text>
  );
}
