import { Card, Group, SegmentedControl, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useState } from 'react';
import { Empty, Failed, Loading } from '../registries/Loading';
import { ScrollTable } from '../registries/ScrollTable';
import { counted, dayBefore, groupingLabels, tokens, usd } from './format';
import { useUsage, type UsageGrouping, type UsageReport } from './queries';

const groupings = Object.keys(groupingLabels) as UsageGrouping[];
const keyOf = (row: UsageReport['rows'][number], groupBy: UsageGrouping) => row.key ?? (groupBy === 'tool' ? 'no tool' : '—');

/** Usage summed by what the reader picks, over a date range: the table on a wide screen, cards on a phone. By tenant only for the platform admin, who reads them all. */
export function UsageTable({ everyTenant }: { everyTenant: boolean }) {
  const [groupBy, setGroupBy] = useState<UsageGrouping>('day');
  const [from, setFrom] = useState(dayBefore(29));
  const [to, setTo] = useState(dayBefore(-1));
  const rangeError = from && to && from >= to ? 'The start must be before the end.' : undefined;
  // A range that ends before it starts is said at the field and not asked for.
  const usage = useUsage({ groupBy, ...(from ? { from } : {}), ...(to ? { to } : {}) }, !rangeError);
  const wide = useMediaQuery('(min-width: 48em)', true, { getInitialValueInEffect: false });
  const report = usage.data;
  return (
    <Stack gap="sm" component="section" aria-labelledby="usage-title">
      <Title order={2} size="h3" id="usage-title">Usage</Title>
      <Group gap="md" align="flex-end" wrap="wrap">
        <Stack gap={4}>
          <Text size="sm" fw={500} id="group-by-label">Group by</Text>
          <SegmentedControl aria-labelledby="group-by-label" value={groupBy} onChange={(value) => setGroupBy(value as UsageGrouping)} data={groupings.filter((value) => everyTenant || value !== 'tenant').map((value) => ({ value, label: groupingLabels[value] }))} />
        </Stack>
        <TextInput type="date" label="From" value={from} onChange={(event) => setFrom(event.currentTarget.value)} description="UTC, inclusive" />
        <TextInput type="date" label="To" value={to} onChange={(event) => setTo(event.currentTarget.value)} description="UTC, exclusive" error={rangeError} />
      </Group>
      {rangeError ? null : usage.isPending ? (
        <Loading what="usage" />
      ) : usage.isError ? (
        <Failed what="usage" error={usage.error} retry={() => void usage.refetch()} />
      ) : report!.rows.length === 0 ? (
        <Empty title="No model calls in this range">Usage counts every model call a session paid for, priced by the price version in effect at the call.</Empty>
      ) : wide ? (
        <ScrollTable label="Usage" minWidth={640}>
          <Table verticalSpacing="xs" fz="sm" data-testid="usage-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{groupingLabels[report!.groupBy]}</Table.Th>
                <Table.Th scope="col" ta="right">Calls</Table.Th>
                <Table.Th scope="col" ta="right">Input tokens</Table.Th>
                <Table.Th scope="col" ta="right">Output tokens</Table.Th>
                <Table.Th scope="col" ta="right">Cost</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {report!.rows.map((row) => (
                <Table.Tr key={keyOf(row, report!.groupBy)}>
                  <Table.Th scope="row" fw={500} style={{ wordBreak: 'break-all' }}>{keyOf(row, report!.groupBy)}</Table.Th>
                  <Table.Td ta="right">{row.calls}</Table.Td>
                  <Table.Td ta="right">{tokens(row.inputTokens)}</Table.Td>
                  <Table.Td ta="right">{tokens(row.outputTokens)}</Table.Td>
                  <Table.Td ta="right">{usd(row.costUsd)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
            <Table.Tfoot>
              <Table.Tr>
                <Table.Th scope="row">Total</Table.Th>
                <Table.Th ta="right">{report!.totals.calls}</Table.Th>
                <Table.Th ta="right">{tokens(report!.totals.inputTokens)}</Table.Th>
                <Table.Th ta="right">{tokens(report!.totals.outputTokens)}</Table.Th>
                <Table.Th ta="right">{usd(report!.totals.costUsd)}</Table.Th>
              </Table.Tr>
            </Table.Tfoot>
          </Table>
        </ScrollTable>
      ) : (
        <Stack gap="xs" component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Usage" data-testid="usage-cards">
          {report!.rows.map((row) => (
            <Card key={keyOf(row, report!.groupBy)} withBorder padding="xs" component="li">
              <Group justify="space-between" wrap="nowrap" gap="xs">
                <Text fw={600} style={{ wordBreak: 'break-all' }}>{keyOf(row, report!.groupBy)}</Text>
                <Text fw={600}>{usd(row.costUsd)}</Text>
              </Group>
              <Text size="sm">{counted(row.calls, 'call')} · {tokens(row.inputTokens)} in · {tokens(row.outputTokens)} out</Text>
            </Card>
          ))}
          <Text component="li" fw={700}>Total {usd(report!.totals.costUsd)} · {counted(report!.totals.calls, 'call')}</Text>
        </Stack>
      )}
      {report?.truncated && <Text size="sm" c="dimmed">The costliest {report.rows.length} groups are listed; the total counts them all.</Text>}
    </Stack>
  );
}
