import { Anchor, Button, Card, Group, Stack, Table, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { Link } from 'react-router';
import { PageTitle } from '../../shell/Shell';
import { Empty, Failed, Loading } from '../registries/Loading';
import { ScrollTable } from '../registries/ScrollTable';
import { formatInstant } from '../registries/time';
import { describeFilter, kindLabels, labelOf } from './format';
import { MissingRoute } from './MissingRoute';
import { OperationStatusBadge, ProgressCell } from './OperationStatus';
import { useOperations, type Operation } from './queries';
import { isMissingRoute } from './replay-api';

const linkTo = (operation: Operation) => `/operations/${encodeURIComponent(operation.operationId)}`;
const filterOf = (operation: Operation) => describeFilter(operation.filter, formatInstant);

/** Every operation, newest first: what it does, where it stands, who asked and when. */
export function OperationList() {
  const operations = useOperations();
  const items = operations.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <>
      <PageTitle>Operations</PageTitle>
      <Text c="dimmed" size="sm" mb="md" maw={760}>
        Every bulk action (a redrive, a discard, a projection rebuild, a session replay) starts as an exact dry run. Nothing changes until someone confirms it; then it runs at its rate, and can be paused, resumed or aborted.
      </Text>
      {operations.isPending ? (
        <Loading what="the operations" />
      ) : operations.isError ? (
        isMissingRoute(operations.error) ? <MissingRoute route="GET /v1/operations" what="operations" /> : <Failed what="the operations" error={operations.error} retry={() => void operations.refetch()} />
      ) : items.length === 0 ? (
        <Empty title="No operations yet">
          Plan one from the <Anchor component={Link} to="/dead-letters" underline="always">dead letters</Anchor> or the <Anchor component={Link} to="/projections" underline="always">projections</Anchor>.
        </Empty>
      ) : (
        <Stack gap="md">
          <Operations items={items} />
          {operations.hasNextPage && (
            <Group justify="center">
              <Button variant="default" onClick={() => void operations.fetchNextPage()} loading={operations.isFetchingNextPage}>
                Load more
              </Button>
            </Group>
          )}
        </Stack>
      )}
    </>
  );
}

function Operations({ items }: { items: readonly Operation[] }) {
  const wide = useMediaQuery('(min-width: 48em)', true, { getInitialValueInEffect: false });
  if (!wide) {
    return (
      <Stack gap="sm" component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Operations">
        {items.map((operation) => (
          <Card key={operation.operationId} withBorder padding="sm" component="li" data-operation-id={operation.operationId}>
            <Group justify="space-between" wrap="nowrap" align="flex-start" gap="xs">
              <Anchor component={Link} to={linkTo(operation)} fw={600}>
                {labelOf(kindLabels, operation.kind)}
              </Anchor>
              <OperationStatusBadge status={operation.status} />
            </Group>
            <Text size="sm" style={{ overflowWrap: 'anywhere' }}>{filterOf(operation)}</Text>
            <Group mt={6} gap="xs" justify="space-between">
              <ProgressCell operation={operation} />
              <Text size="xs" c="dimmed">
                {operation.requestedBy.id}, {formatInstant(operation.requestedAt)}
              </Text>
            </Group>
          </Card>
        ))}
      </Stack>
    );
  }
  return (
    <ScrollTable label="Operations" minWidth={820}>
      <Table highlightOnHover verticalSpacing="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Operation</Table.Th>
            <Table.Th scope="col" w={150}>Status</Table.Th>
            <Table.Th scope="col">Progress</Table.Th>
            <Table.Th scope="col">Requested by</Table.Th>
            <Table.Th scope="col">When</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((operation) => (
            <Table.Tr key={operation.operationId} data-operation-id={operation.operationId}>
              <Table.Td maw={380}>
                <Anchor component={Link} to={linkTo(operation)} fw={600}>
                  {labelOf(kindLabels, operation.kind)}
                </Anchor>
                <Text size="sm" c="dimmed" lineClamp={2} style={{ overflowWrap: 'anywhere' }}>{filterOf(operation)}</Text>
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <OperationStatusBadge status={operation.status} />
              </Table.Td>
              <Table.Td>
                <ProgressCell operation={operation} />
              </Table.Td>
              <Table.Td style={{ overflowWrap: 'anywhere' }}>{operation.requestedBy.id}</Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatInstant(operation.requestedAt)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}
