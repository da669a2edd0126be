import { Alert, Anchor, Card, Group, SimpleGrid, Skeleton, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { explain } from '../../shell/explain';
import { useSessionSummary, type SessionSummary } from './queries';

type SessionStatus = keyof SessionSummary['byStatus'];

/** The statuses in the order a session moves through them; `queued` is never counted (not yet in the read model). */
const shown: readonly { status: SessionStatus; label: string; color: string }[] = [
  { status: 'running', label: 'Running', color: 'blue' },
  { status: 'awaiting_approval', label: 'Awaiting approval', color: 'orange' },
  { status: 'paused', label: 'Paused', color: 'gray' },
  { status: 'blocked', label: 'Blocked', color: 'grape' },
  { status: 'completed', label: 'Completed', color: 'teal' },
  { status: 'failed', label: 'Failed', color: 'red' },
  { status: 'cancelled', label: 'Cancelled', color: 'gray' },
];

function StatusCard({ status, label, color, count }: { status: SessionStatus; label: string; color: string; count: number }) {
  return (
    <Card component={Link} to={`/sessions?status=${status}`} withBorder padding="md" style={{ borderInlineStart: `4px solid var(--mantine-color-${color}-6)` }}>
      <Text size="xl" fw={700} lh={1.1} c={count === 0 ? 'dimmed' : undefined}>{count}</Text>
      <Text size="sm" c="dimmed">{label}</Text>
    </Card>
  );
}

/** Sessions by status, each a way into the sessions list with that status filtered. */
export function SessionCounts() {
  const summary = useSessionSummary();
  return (
    <section aria-labelledby="overview-sessions">
      <Group justify="space-between" align="baseline" mb="xs">
        <Title order={2} size="h4" id="overview-sessions">Sessions</Title>
        {summary.data && <Anchor component={Link} to="/sessions" size="sm">All {summary.data.total} {summary.data.total === 1 ? 'session' : 'sessions'}</Anchor>}
      </Group>
      {summary.isError ? (
        <Alert color="red" title="Sessions could not be counted" role="alert">{explain(summary.error)}</Alert>
      ) : (
        <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="sm">
          {shown.map((entry) => (summary.data ? <StatusCard key={entry.status} {...entry} count={summary.data.byStatus[entry.status]} /> : <Skeleton key={entry.status} h={74} radius="md" />))}
        </SimpleGrid>
      )}
    </section>
  );
}
