import { Alert, Anchor, Group, Stack, Text } from '@mantine/core';
import type { Answer } from '@agent-orchestrator/client';
import { Link } from 'react-router';
import { readableAlert } from '../approvals/alert-styles';
import { ToneBadge } from './StatusBadge';
import { formatStarted } from './format';

type SessionDetail = Extract<Answer<'/v1/sessions/{sessionId}', 'get'>, { parkedCalls: unknown }>;
type ParkedCall = SessionDetail['parkedCalls'][number];

/**
 * The tool calls that hold a blocked session: each one's tool, why it failed and how often, and
 * where an operator redrives or discards it (the dead letters, filtered to its tool).
 */
export function ParkedCalls({ calls, mayAct }: { calls: readonly ParkedCall[]; mayAct: boolean }) {
  if (calls.length === 0) return null;
  return (
    <Alert color="grape" styles={readableAlert} title={`Blocked: ${calls.length === 1 ? 'a tool call is' : `${calls.length} tool calls are`} parked`} data-testid="parked-calls">
      <Stack gap="xs">
        <Text size="sm">The run waits until an operator redrives {calls.length === 1 ? 'it' : 'them'} (the call runs once more and the run goes on) or discards {calls.length === 1 ? 'it' : 'them'} (the agent is told).</Text>
        <Stack component="ul" gap={6} p={0} m={0} style={{ listStyle: 'none' }}>
          {calls.map((call) => (
            <li key={`${call.runId}/${call.callId}`} data-call-id={call.callId}>
              <Group gap="xs" wrap="wrap">
                <Text size="sm" fw={600} ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                  {call.method.toUpperCase()} {call.tool}.{call.operation}
                </Text>
                <ToneBadge color={call.status === 'retrying' ? 'blue' : 'grape'} size="sm">
                  {call.status === 'retrying' ? 'redriven, waiting for its answer' : call.code}
                </ToneBadge>
              </Group>
              <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                {call.reason} · {call.attempts} attempts{call.parkings > 1 ? `, parked ${call.parkings} times` : ''} · since {formatStarted(call.since)}
                {mayAct && (
                  <>
                    {' · '}
                    <Anchor component={Link} to={`/dead-letters?tool=${encodeURIComponent(call.tool)}`} size="sm" underline="always">
                      redrive or discard
                    </Anchor>
                  </>
                )}
              </Text>
            </li>
          ))}
        </Stack>
      </Stack>
    </Alert>
  );
}
