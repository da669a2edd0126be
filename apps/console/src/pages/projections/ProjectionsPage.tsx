import { Alert, Anchor, Badge, Button, Card, Group, Stack, Table, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { Link, useNavigate } from 'react-router';
import { explain } from '../../shell/explain';
import { PageTitle } from '../../shell/Shell';
import { readableAlert } from '../approvals/alert-styles';
import { Empty, Failed, Loading } from '../registries/Loading';
import { ScrollTable } from '../registries/ScrollTable';
import { ToneBadge } from '../sessions/StatusBadge';
import { useReplayAccess } from '../operations/access';
import { MissingRoute } from '../operations/MissingRoute';
import { NotForYourRoles } from '../operations/OperationsPage';
import { usePlanOperation } from '../operations/queries';
import { isMissingRoute } from '../operations/replay-api';
import { ago, isStalled, rate, stateColors, stateLabels } from './format';
import { useProjections, type Projection } from './queries';

/** Stalled reads as an alarm, never as "running": red, with the words, whatever else is on the row. */
function StateBadge({ state }: { state: string }) {
  if (isStalled(state)) {
    return (
      <Badge color="red.9" variant="filled" data-state={state} leftSection={<span aria-hidden>⚠</span>} style={{ flex: 'none', minWidth: 'max-content' }}>
        Stalled
      </Badge>
    );
  }
  return (
    <ToneBadge color={stateColors[state] ?? 'gray'} data-state={state}>
      {stateLabels[state] ?? state}
    </ToneBadge>
  );
}

const lagOf = (projection: Projection) => `${projection.lagCapped ? 'at least ' : ''}${projection.lag.toLocaleString()}`;

/** A rebuild or retry in hand: how far, and the operation it belongs to. */
function Working({ projection }: { projection: Projection }) {
  const work = projection.operation;
  if (!work || work.status !== 'running') return null;
  const percent = work.total === 0 ? 0 : Math.floor((work.done / work.total) * 100);
  return (
    <Anchor component={Link} to={`/operations/${encodeURIComponent(work.operationId)}`} size="xs" display="block" underline="always">
      {work.kind === 'rebuild' ? 'rebuilding' : 'retrying'} {percent}%
    </Anchor>
  );
}

/** The platform admin's actions: each plans an operation and lands on its dry run (nothing runs until confirmed there). */
function Actions({ projection, plan }: { projection: Projection; plan: (kind: 'rebuild-projection' | 'retry-quarantined', name: string) => void }) {
  return (
    <Group gap="xs" wrap="nowrap">
      <Button size="compact-sm" variant="light" onClick={() => plan('rebuild-projection', projection.projection)} aria-label={`Rebuild ${projection.projection}`}>
        Rebuild
      </Button>
      {projection.quarantined > 0 && (
        <Button size="compact-sm" variant="default" onClick={() => plan('retry-quarantined', projection.projection)} aria-label={`Retry quarantined: ${projection.projection}`}>
          Retry quarantined
        </Button>
      )}
    </Group>
  );
}

/** Each projection's position, lag, speed and state; a stalled one is named at the top of the page. */
export function ProjectionsPage() {
  const access = useReplayAccess();
  const projections = useProjections();
  const planning = usePlanOperation();
  const navigate = useNavigate();
  const wide = useMediaQuery('(min-width: 48em)', true, { getInitialValueInEffect: false });
  if (!access) return <Loading what="your roles" />;
  if (!access.mayAct) return <NotForYourRoles title="Projections" />;
  const plan = (kind: 'rebuild-projection' | 'retry-quarantined', projection: string) =>
    planning.mutate({ kind, filter: { projection } }, { onSuccess: (operationId) => void navigate(`/operations/${encodeURIComponent(operationId)}`) });
  const items = projections.data ?? [];
  const stalled = items.filter((projection) => isStalled(projection.state));
  const actions = access.platform;
  return (
    <>
      <PageTitle>Projections</PageTitle>
      <Text c="dimmed" size="sm" mb="md" maw={760}>
        The read models the pages and the API answer from, each built from the log. A rebuild makes a fresh copy from the log beside the live one and swaps it in at once; readers never see a half-built model, and webhooks and notifications are not sent again.
        {!actions && ' Rebuilds and retries act on every tenant, so the platform admin runs them.'}
      </Text>
      {planning.isError && (
        <Alert color="red" role="alert" title="Nothing was planned" mb="md">
          {explain(planning.error)}
        </Alert>
      )}
      {stalled.length > 0 && (
        <Alert color="red" role="alert" title={`${stalled.length === 1 ? `${stalled[0]!.projection} is` : `${stalled.length} projections are`} stalled`} mb="md" styles={readableAlert} data-testid="stalled-alert">
          {stalled.map((projection) => `${projection.projection} is ${projection.lag.toLocaleString()} events behind and last advanced ${ago(projection.lastAdvanceAt)}`).join('; ')}. What reads from {stalled.length === 1 ? 'it' : 'them'} is out of date until it moves again.
        </Alert>
      )}
      {projections.isPending ? (
        <Loading what="the projections" />
      ) : projections.isError ? (
        isMissingRoute(projections.error) ? <MissingRoute route="GET /v1/projections" what="projection status" /> : <Failed what="the projections" error={projections.error} retry={() => void projections.refetch()} />
      ) : items.length === 0 ? (
        <Empty title="No projections reported">The process that hosts them reports each one once it starts.</Empty>
      ) : wide ? (
        <ScrollTable label="Projections" minWidth={860}>
          <Table verticalSpacing="sm" fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Projection</Table.Th>
                <Table.Th scope="col">State</Table.Th>
                <Table.Th scope="col">Position</Table.Th>
                <Table.Th scope="col" ta="right">Lag</Table.Th>
                <Table.Th scope="col" ta="right">Events/s</Table.Th>
                <Table.Th scope="col">Last advance</Table.Th>
                <Table.Th scope="col" ta="right">Quarantined</Table.Th>
                {actions && <Table.Th scope="col">Actions</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((projection) => (
                <Table.Tr key={projection.projection} data-projection={projection.projection} bg={isStalled(projection.state) ? 'var(--mantine-color-red-light)' : undefined}>
                  <Table.Td>
                    <Text size="sm" fw={600}>{projection.projection}</Text>
                    <Text size="xs" c="dimmed">version {projection.version}</Text>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    <StateBadge state={projection.state} />
                    <Working projection={projection} />
                  </Table.Td>
                  <Table.Td ff="monospace" style={{ whiteSpace: 'nowrap' }}>{projection.position ?? '—'}</Table.Td>
                  <Table.Td ta="right" fw={projection.lag > 0 ? 600 : undefined}>{lagOf(projection)}</Table.Td>
                  <Table.Td ta="right">{rate(projection.eventsPerSecond)}</Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{ago(projection.lastAdvanceAt)}</Table.Td>
                  <Table.Td ta="right" fw={projection.quarantined > 0 ? 700 : undefined}>{projection.quarantined}</Table.Td>
                  {actions && <Table.Td><Actions projection={projection} plan={plan} /></Table.Td>}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      ) : (
        <Stack gap="sm" component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Projections">
          {items.map((projection) => (
            <Card key={projection.projection} withBorder padding="sm" component="li" data-projection={projection.projection} bg={isStalled(projection.state) ? 'var(--mantine-color-red-light)' : undefined}>
              <Group justify="space-between" wrap="nowrap" gap="xs">
                <Text fw={600}>{projection.projection} <Text span size="xs" c="dimmed">v{projection.version}</Text></Text>
                <StateBadge state={projection.state} />
              </Group>
              <Working projection={projection} />
              <Text size="sm" mt={4}>
                {lagOf(projection)} behind · {rate(projection.eventsPerSecond)} events/s · moved {ago(projection.lastAdvanceAt)}
              </Text>
              {projection.quarantined > 0 && <Text size="sm" fw={600}>{projection.quarantined} quarantined</Text>}
              {actions && <Group mt="xs"><Actions projection={projection} plan={plan} /></Group>}
            </Card>
          ))}
        </Stack>
      )}
      {!actions && items.length > 0 && (
        <Text size="sm" c="dimmed" mt="sm">
          Rebuilds and retries already planned show on the <Anchor component={Link} to="/operations" underline="always">operations</Anchor> page.
        </Text>
      )}
    </>
  );
}
