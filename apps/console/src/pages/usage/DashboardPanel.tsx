import { Card, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { Failed, Loading } from '../registries/Loading';
import { ScrollTable } from '../registries/ScrollTable';
import { counted, duration, usd } from './format';
import type { Dashboard } from './queries';
import { useDashboard } from './queries';

function Figure({ label, value, note }: { label: string; value: string; note?: string }) {
  return (
    <Card withBorder padding="sm" component="li">
      <Text size="sm" c="dimmed">{label}</Text>
      <Text size="xl" fw={700}>{value}</Text>
      {note && <Text size="xs" c="dimmed">{note}</Text>}
    </Card>
  );
}

/** A short ranked list; an empty one says so rather than showing nothing. */
function Ranked({ title, items, empty }: { title: string; items: readonly { name: string; value: string }[]; empty: string }) {
  return (
    <Card withBorder padding="sm">
      <Title order={3} size="h5" mb={6}>{title}</Title>
      {items.length === 0 ? (
        <Text size="sm" c="dimmed">{empty}</Text>
      ) : (
        <Stack gap={2} component="ol" m={0} pl="lg">
          {items.map((item) => (
            <Text key={item.name} component="li" size="sm">
              <Text span fw={600}>{item.name}</Text> · {item.value}
            </Text>
          ))}
        </Stack>
      )}
    </Card>
  );
}

/** Sessions started each day, a column per status: a table reads aloud where a chart would not. */
function SessionsByDay({ rows }: { rows: Dashboard['sessionsByStatus'] }) {
  const statuses = [...new Set(rows.map((row) => row.status))].sort();
  const days = [...new Set(rows.map((row) => row.day))].sort().reverse();
  const count = (day: string, status: string) => rows.find((row) => row.day === day && row.status === status)?.count ?? 0;
  if (days.length === 0) return <Text size="sm" c="dimmed">No sessions started in the window.</Text>;
  return (
    <ScrollTable label="Sessions by status and day" minWidth={120 + statuses.length * 90}>
      <Table fz="sm" verticalSpacing={4}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Day</Table.Th>
            {statuses.map((status) => <Table.Th key={status} scope="col" ta="right">{status.replaceAll('_', ' ')}</Table.Th>)}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {days.map((day) => (
            <Table.Tr key={day}>
              <Table.Th scope="row" fw={400}>{day}</Table.Th>
              {statuses.map((status) => <Table.Td key={status} ta="right">{count(day, status)}</Table.Td>)}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}

/** Cost, latency, what waits for people, and where money and failures go, over the last `days` days. */
export function DashboardPanel({ days }: { days: number }) {
  const dashboard = useDashboard(days);
  if (dashboard.isPending) return <Loading what="the dashboard" />;
  if (dashboard.isError) return <Failed what="the dashboard" error={dashboard.error} retry={() => void dashboard.refetch()} />;
  const board = dashboard.data;
  const latency = board.stepLatency;
  return (
    <Stack gap="md" component="section" aria-labelledby="dashboard-title">
      <Title order={2} size="h3" id="dashboard-title">Last {board.days} days</Title>
      <SimpleGrid cols={{ base: 2, md: 5 }} spacing="sm" component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Figures">
        <Figure label="Cost today" value={usd(board.cost.todayUsd)} note="UTC day" />
        <Figure label="Cost this month" value={usd(board.cost.monthUsd)} />
        <Figure label="Step latency p50 / p95" value={`${duration(latency.p50Seconds)} / ${duration(latency.p95Seconds)}`} note={`${counted(latency.steps, 'step')} completed`} />
        <Figure label="Approvals pending" value={String(board.approvals.pending)} note={board.approvals.oldestPendingSeconds === null ? 'none waiting' : `oldest waits ${duration(board.approvals.oldestPendingSeconds)}`} />
        <Figure label="Dead letters" value={String(board.deadLetters.pending)} note="waiting for an operator" />
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="sm">
        <Ranked title="Agents by cost" items={board.topAgents.byCost.map((item) => ({ name: item.name, value: `${usd(item.costUsd)} in ${counted(item.calls, 'call')}` }))} empty="No model calls." />
        <Ranked title="Agents by failures" items={board.topAgents.byFailures.map((item) => ({ name: item.name, value: counted(item.failures, 'failed run') }))} empty="No failed runs." />
        <Ranked title="Tools by cost" items={board.topTools.byCost.map((item) => ({ name: item.name, value: `${usd(item.costUsd)} in ${counted(item.calls, 'turn')}` }))} empty="No turn asked for a tool." />
        <Ranked title="Tools by failures" items={board.topTools.byFailures.map((item) => ({ name: item.name, value: counted(item.failures, 'failed call') }))} empty="No failed tool calls." />
      </SimpleGrid>
      <Card withBorder padding="sm">
        <Title order={3} size="h5" mb={6}>Sessions by status</Title>
        <SessionsByDay rows={board.sessionsByStatus} />
      </Card>
    </Stack>
  );
}
