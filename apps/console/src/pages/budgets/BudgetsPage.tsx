import { Badge, Button, Card, Group, Progress, SimpleGrid, Stack, Text, Tooltip } from '@mantine/core';
import { useState } from 'react';
import { useRoles } from '../../auth/caller';
import { PageTitle } from '../../shell/Shell';
import { Empty, Failed, Loading } from '../registries/Loading';
import { BudgetFormModal } from './BudgetFormModal';
import { amount, periodWords, scopeWords, useOf } from './format';
import { useBudgets, type Budget } from './queries';

/** One budget: whose calls, which period, and a bar of what is used and what calls under way hold. */
function BudgetCard({ budget, onEdit }: { budget: Budget; onEdit?: () => void }) {
  const { usedPercent, reservedPercent, tone } = useOf(budget);
  const label = `${budget.budgetId}: ${amount(budget.used, budget.unit)} used of ${amount(budget.limit, budget.unit)}`;
  return (
    <Card withBorder padding="md" component="li" data-budget={budget.budgetId}>
      <Group justify="space-between" wrap="nowrap" align="flex-start" gap="xs">
        <Stack gap={2} style={{ minWidth: 0 }}>
          <Text fw={700} style={{ overflowWrap: 'anywhere' }}>{budget.budgetId}</Text>
          <Text size="sm" style={{ overflowWrap: 'anywhere' }}>{scopeWords(budget.scope)}, {periodWords(budget)}</Text>
        </Stack>
        {usedPercent >= 100 ? <Badge color="red.9" variant="filled">Used up</Badge> : usedPercent >= 80 ? <Badge color="orange.9" variant="filled">Over 80 %</Badge> : null}
      </Group>
      <Progress.Root size="lg" mt="sm" aria-hidden>
        <Progress.Section value={usedPercent} color={tone} />
        <Tooltip label={`${amount(budget.reserved, budget.unit)} held by calls under way`} disabled={budget.reserved === 0}>
          <Progress.Section value={reservedPercent} color="gray.5" />
        </Tooltip>
      </Progress.Root>
      <Text size="sm" mt={6} role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={budget.limit} aria-valuenow={Math.min(budget.used, budget.limit)} aria-valuetext={`${Math.round(usedPercent)} % used`}>
        <Text span fw={700}>{amount(budget.used, budget.unit)}</Text> of {amount(budget.limit, budget.unit)} used ({Math.round(usedPercent)} %)
        {budget.reserved > 0 && <Text span c="dimmed"> · {amount(budget.reserved, budget.unit)} held</Text>}
      </Text>
      {onEdit && (
        <Group justify="flex-end" mt="xs">
          <Button size="compact-sm" variant="light" onClick={onEdit} aria-label={`Edit ${budget.budgetId}`}>Edit</Button>
        </Group>
      )}
    </Card>
  );
}

/** The tenant's budgets with their use this period; an admin sets and edits them. */
export function BudgetsPage() {
  const budgets = useBudgets();
  const mayEdit = (useRoles() ?? []).includes('admin');
  const [editing, setEditing] = useState<{ budget?: Budget } | undefined>();
  const items = budgets.data ?? [];
  return (
    <>
      <Group justify="space-between" align="flex-start">
        <PageTitle>Budgets</PageTitle>
        {mayEdit && <Button onClick={() => setEditing({})}>New budget</Button>}
      </Group>
      <Text c="dimmed" size="sm" mb="md" maw={760}>
        Limits on what model calls may spend, in tokens or USD, for the whole tenant or one agent per UTC day or month, or for one session. Each call holds its worst case until it is done, so runs at the same time cannot together go past a limit.
      </Text>
      {budgets.isPending ? (
        <Loading what="the budgets" />
      ) : budgets.isError ? (
        <Failed what="the budgets" error={budgets.error} retry={() => void budgets.refetch()} />
      ) : items.length === 0 ? (
        <Empty title="No budgets yet">{mayEdit ? 'Set one with New budget: model calls are not limited until then.' : 'An admin sets them; model calls are not limited until then.'}</Empty>
      ) : (
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md" component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Budgets">
          {items.map((budget) => (
            <BudgetCard key={budget.budgetId} budget={budget} {...(mayEdit ? { onEdit: () => setEditing({ budget }) } : {})} />
          ))}
        </SimpleGrid>
      )}
      <BudgetFormModal opened={editing !== undefined} onClose={() => setEditing(undefined)} {...(editing?.budget ? { budget: editing.budget } : {})} />
    </>
  );
}
