import { isProblem } from '@agent-orchestrator/client';
import { Alert, Anchor, Card, Group, Skeleton, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { explain } from '../../shell/explain';
import { formatAge, useNow } from './age';
import { pendingBound, usePendingApprovals } from './queries';

/** How many approvals wait for a person, and how long the oldest has waited. */
export function PendingApprovals() {
  const pending = usePendingApprovals();
  const now = useNow();
  const body = (() => {
    // An auditor reads the audit trail, not approvals: say so rather than fail.
    if (pending.isError && isProblem(pending.error) && pending.error.status === 403) return <Text c="dimmed" size="sm">Your roles do not include reading approvals.</Text>;
    if (pending.isError) return <Alert color="red" title="Approvals could not be counted" role="alert">{explain(pending.error)}</Alert>;
    if (!pending.data) return <Skeleton h={64} />;
    const { count, more, oldest } = pending.data;
    if (count === 0) return <Text c="dimmed" size="sm">Nothing is waiting for a decision.</Text>;
    return (
      <Stack gap={4}>
        <Text size="xl" fw={700} lh={1.1}>{more ? `${pendingBound}+` : count} pending</Text>
        {oldest && (
          <Text size="sm">
            {more ? 'Oldest of those counted' : 'Oldest'} waiting{' '}
            <Anchor component={Link} to={`/approvals/${oldest.approvalId}`} underline="always">{formatAge(now - Date.parse(oldest.requestedAt))}</Anchor>
            {': '}
            <Text span c="dimmed" style={{ overflowWrap: 'anywhere' }}>{oldest.tool} for {oldest.agent}, by {oldest.role}</Text>
          </Text>
        )}
      </Stack>
    );
  })();
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="overview-approvals">
      <Group justify="space-between" align="baseline" mb="xs">
        <Title order={2} size="h4" id="overview-approvals">Approvals</Title>
        {pending.data && pending.data.count > 0 && <Anchor component={Link} to="/approvals?status=pending" size="sm">Open the inbox</Anchor>}
      </Group>
      {body}
    </Card>
  );
}
