import { Alert, Card, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { readableAlert } from '../approvals/alert-styles';
import { items, rankedCounts } from './format';
import type { Operation } from './queries';

const breakdowns = [
  ['byConsumer', 'Consumer'],
  ['byCode', 'Error code'],
  ['byTool', 'Tool'],
  ['byTenant', 'Tenant'],
] as const;

/** One breakdown of the matched items; the largest first, at most eight rows and "N more" after. */
function Breakdown({ label, counts }: { label: string; counts: Readonly<Record<string, number>> | undefined }) {
  const ranked = rankedCounts(counts);
  if (ranked.length === 0) return null;
  const shown = ranked.slice(0, 8);
  const rest = ranked.slice(8).reduce((sum, [, count]) => sum + count, 0);
  return (
    <Table verticalSpacing={4} fz="sm" captionSide="top" data-breakdown={label}>
      <Table.Caption style={{ textAlign: 'start', fontWeight: 600, color: 'var(--mantine-color-text)' }}>By {label.toLowerCase()}</Table.Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">{label}</Table.Th>
          <Table.Th scope="col" ta="right">Items</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {shown.map(([name, count]) => (
          <Table.Tr key={name}>
            <Table.Td style={{ overflowWrap: 'anywhere' }}>{name || '(none)'}</Table.Td>
            <Table.Td ta="right">{count.toLocaleString()}</Table.Td>
          </Table.Tr>
        ))}
        {rest > 0 && (
          <Table.Tr>
            <Table.Td c="dimmed">{ranked.length - shown.length} more</Table.Td>
            <Table.Td ta="right">{rest.toLocaleString()}</Table.Td>
          </Table.Tr>
        )}
      </Table.Tbody>
    </Table>
  );
}

/** The exact dry run: how many items, broken down, and how many of them call a tool again whose operation is not safe. */
export function DryRun({ operation }: { operation: Operation }) {
  const { total, repeatsSideEffect, counts } = operation;
  const planned = operation.status === 'planned';
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="dry-run">
      <Stack gap="sm">
        <Title order={2} size="h4" id="dry-run">
          Dry run
        </Title>
        <Text size="sm" data-testid="dry-run-total">
          {total === 0 ? 'Nothing matched: there is nothing to act on.' : <>It matched <b>{items(total)}</b>{planned ? '. Nothing has changed yet.' : ', each listed below with its outcome.'}</>}
        </Text>
        {repeatsSideEffect > 0 && (
          <Alert color="orange" title={`${items(repeatsSideEffect)} ${repeatsSideEffect === 1 ? 'repeats' : 'repeat'} a side effect`} styles={readableAlert} data-testid="repeats-side-effect">
            Acting on {repeatsSideEffect === 1 ? 'it' : 'them'} calls a tool operation again that is not safe to repeat (it is not a GET, HEAD or OPTIONS): an order may be placed or a message sent a second time. They are marked in the list below.
          </Alert>
        )}
        {total > 0 && (
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="lg">
            {breakdowns.map(([key, label]) => (
              <Breakdown key={key} label={label} counts={counts?.[key]} />
            ))}
          </SimpleGrid>
        )}
      </Stack>
    </Card>
  );
}
