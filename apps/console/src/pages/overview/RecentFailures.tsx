import { Alert, Anchor, Card, Group, Skeleton, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { explain } from '../../shell/explain';
import { formatAge, useNow } from './age';
import { useRecentFailures, type FailedSession } from './queries';

const shownFailures = 5;

function Failure({ session, now }: { session: FailedSession; now: number }) {
  const ended = session.endedAt ?? session.updatedAt;
  return (
    <Stack gap={2} component="li">
      <Anchor component={Link} to={`/sessions/${session.sessionId}`} fw={500} lineClamp={2} style={{ overflowWrap: 'anywhere' }}>{session.goal}</Anchor>
      <Text size="sm" c="dimmed" lineClamp={3} style={{ overflowWrap: 'anywhere' }}>{session.failureReason ?? 'No reason was recorded.'}</Text>
      <Text size="xs" c="dimmed">Failed {formatAge(now - Date.parse(ended))} ago</Text>
    </Stack>
  );
}

/** The latest failed sessions with why they failed, each linked to its session. */
export function RecentFailures() {
  const failures = useRecentFailures(shownFailures);
  const now = useNow();
  const body = (() => {
    if (failures.isError) return <Alert color="red" title="Failed sessions could not be read" role="alert">{explain(failures.error)}</Alert>;
    if (!failures.data) return <Skeleton h={96} />;
    if (failures.data.length === 0) return <Text c="dimmed" size="sm">No session has failed.</Text>;
    return (
      <Stack component="ul" gap="md" p={0} m={0} style={{ listStyle: 'none' }}>
        {failures.data.map((session) => <Failure key={session.sessionId} session={session} now={now} />)}
      </Stack>
    );
  })();
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="overview-failures">
      <Group justify="space-between" align="baseline" mb="xs">
        <Title order={2} size="h4" id="overview-failures">Recent failures</Title>
        {failures.data && failures.data.length > 0 && <Anchor component={Link} to="/sessions?status=failed" size="sm">All failed sessions</Anchor>}
      </Group>
      {body}
    </Card>
  );
}
