import { Anchor, Card, Group, Stack, Table, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import type { AgentOrchestratorClient } from '@agent-orchestrator/client';
import { Link } from 'react-router';
import { formatCost, formatDuration, formatStarted, formatTokens } from './format';
import { SessionStatusBadge } from './StatusBadge';

export type SessionSummary = Awaited<ReturnType<AgentOrchestratorClient['sessions']['list']>>['items'][number];

const steps = (session: SessionSummary) => (session.stepsTotal === 0 ? '—' : `${session.stepsCompleted}/${session.stepsTotal}`);

/** A table on a wide screen; on a phone, one card per session, so nothing scrolls sideways. */
export function SessionList({ sessions }: { sessions: readonly SessionSummary[] }) {
  const wide = useMediaQuery('(min-width: 48em)', true, { getInitialValueInEffect: false });
  if (!wide) {
    return (
      <Stack gap="sm" component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Sessions">
        {sessions.map((session) => (
          <Card key={session.sessionId} withBorder padding="sm" component="li">
            <Anchor component={Link} to={`/sessions/${session.sessionId}`} fw={600} style={{ overflowWrap: 'anywhere' }}>
              {session.goal}
            </Anchor>
            <Group gap="xs" mt={6} wrap="wrap">
              <SessionStatusBadge status={session.status} />
              <Text size="sm" c="dimmed">
                {formatStarted(session.startedAt)} · {formatDuration(session.startedAt, session.endedAt)}
              </Text>
            </Group>
            <Text size="sm" c="dimmed" mt={4}>
              Steps {steps(session)} · {formatTokens(session.inputTokens, session.outputTokens)} tokens · {formatCost(session.costUsd)}
            </Text>
          </Card>
        ))}
      </Stack>
    );
  }
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table highlightOnHover verticalSpacing="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Goal</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Started</Table.Th>
            <Table.Th>Duration</Table.Th>
            <Table.Th ta="right">Steps</Table.Th>
            <Table.Th ta="right">Tokens</Table.Th>
            <Table.Th ta="right">Cost</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sessions.map((session) => (
            <Table.Tr key={session.sessionId}>
              <Table.Td maw={420}>
                <Anchor component={Link} to={`/sessions/${session.sessionId}`} lineClamp={2} style={{ overflowWrap: 'anywhere' }}>
                  {session.goal}
                </Anchor>
              </Table.Td>
              <Table.Td>
                <SessionStatusBadge status={session.status} />
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatStarted(session.startedAt)}</Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDuration(session.startedAt, session.endedAt)}</Table.Td>
              <Table.Td ta="right">{steps(session)}</Table.Td>
              <Table.Td ta="right">{formatTokens(session.inputTokens, session.outputTokens)}</Table.Td>
              <Table.Td ta="right">{formatCost(session.costUsd)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
