import { Alert, Anchor, Group, Paper, SimpleGrid, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import { PageTitle } from '../../shell/Shell';
import { Failed, Loading } from '../registries/Loading';
import { formatInstant } from '../registries/time';
import { useCaller } from '../../auth/caller';
import { Controls } from './Controls';
import { DryRun } from './DryRun';
import { describeFilter, kindLabels, labelOf } from './format';
import { OperationItems } from './OperationItems';
import { OperationStatusBadge } from './OperationStatus';
import { useOperation } from './queries';
import { RunProgress } from './RunProgress';

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="sm" fw={500} data-fact={label} style={{ overflowWrap: 'anywhere' }}>
        {children}
      </Text>
    </div>
  );
}

/** One operation: the dry run it was planned with, confirming it, then its progress and each item's outcome. */
export function OperationDetail({ operationId }: { operationId: string }) {
  const operation = useOperation(operationId);
  const me = useCaller()?.subject;
  const back = (
    <Anchor component={Link} to="/operations" size="sm">
      ← Operations
    </Anchor>
  );
  if (operation.isPending) return <Stack gap="md">{back}<Loading what="the operation" /></Stack>;
  if (operation.isError) {
    return (
      <Stack gap="md">
        {back}
        <PageTitle>Operation</PageTitle>
        <Failed what="the operation" error={operation.error} retry={() => void operation.refetch()} />
      </Stack>
    );
  }
  const current = operation.data;
  const byMe = me !== undefined && (current.requestedBy.id === me || `key:${current.requestedBy.id}` === me);
  return (
    <Stack gap="md">
      {back}
      <Group justify="space-between" align="flex-start" gap="sm">
        <div style={{ minWidth: 0 }}>
          <PageTitle>{labelOf(kindLabels, current.kind)}</PageTitle>
          <Text c="dimmed" size="sm" mt={-8} style={{ overflowWrap: 'anywhere' }}>
            Of {describeFilter(current.filter, formatInstant)}
          </Text>
        </div>
        <Group gap="xs" aria-live="polite">
          <OperationStatusBadge status={current.status} />
        </Group>
      </Group>
      <Paper withBorder p="md">
        <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="md">
          <Fact label="Requested">{formatInstant(current.requestedAt)}</Fact>
          <Fact label="By">{byMe ? 'you' : current.requestedBy.id}</Fact>
          <Fact label="Started">{current.startedAt ? formatInstant(current.startedAt) : 'not yet'}</Fact>
          <Fact label={current.endedAt ? 'Ended' : 'Rate'}>{current.endedAt ? formatInstant(current.endedAt) : current.rate ? `${current.rate} items/s` : 'the default'}</Fact>
        </SimpleGrid>
        {current.reason && (
          <Text size="sm" mt="sm">
            Reason: {current.reason}
          </Text>
        )}
      </Paper>
      {current.status !== 'planned' && <RunProgress operation={current} />}
      <Controls operation={current} />
      {current.status === 'failed' && (
        <Alert color="red" role="alert" title={current.refusal ? 'The plan was refused' : 'The operation failed'}>
          {current.refusal ?? 'It stopped before every item was acted on; each item below says whether it was, and how it went.'}
        </Alert>
      )}
      {current.status === 'aborted' && (
        <Alert color="gray" title="Aborted">
          {current.abortReason ?? 'Someone aborted it.'} What was done before stays done; the items below say which.
        </Alert>
      )}
      <DryRun operation={current} />
      <OperationItems operation={current} />
    </Stack>
  );
}
