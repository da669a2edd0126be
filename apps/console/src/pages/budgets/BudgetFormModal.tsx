import { Alert, Button, Group, Modal, NumberInput, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useClient } from '../../auth/credentials';
import { explain } from '../../shell/explain';
import type { Budget } from './queries';

type ScopeKind = Budget['scope']['kind'];

interface BudgetValues {
  readonly budgetId: string;
  readonly kind: ScopeKind;
  readonly agent: string;
  readonly sessionId: string;
  readonly period: 'day' | 'month';
  readonly unit: Budget['unit'];
  readonly limit: number | string;
}

const valuesOf = (budget?: Budget): BudgetValues => ({
  budgetId: budget?.budgetId ?? '',
  kind: budget?.scope.kind ?? 'tenant',
  agent: budget?.scope.kind === 'agent' ? budget.scope.agent : '',
  sessionId: budget?.scope.kind === 'session' ? budget.scope.sessionId : '',
  period: budget?.period === 'month' ? 'month' : 'day',
  unit: budget?.unit ?? 'usd',
  limit: budget?.limit ?? '',
});

/** The PUT body the values make; the gateway checks it and says what is wrong, field by field. */
function bodyOf(values: BudgetValues) {
  const scope = values.kind === 'tenant' ? { kind: 'tenant' as const } : values.kind === 'agent' ? { kind: 'agent' as const, agent: values.agent.trim() } : { kind: 'session' as const, sessionId: values.sessionId.trim() };
  return { scope, period: values.kind === 'session' ? ('session' as const) : values.period, unit: values.unit, limit: Number(values.limit) };
}

/** `New budget`, or `Edit` (new terms for the same budget id), in a dialog that fills a phone's screen. */
export function BudgetFormModal({ opened, onClose, budget }: { opened: boolean; onClose: () => void; budget?: Budget }) {
  const phone = useMediaQuery('(max-width: 36em)');
  return (
    <Modal opened={opened} onClose={onClose} closeButtonProps={{ 'aria-label': 'Close' }} title={budget ? `Edit ${budget.budgetId}` : 'New budget'} size="lg" fullScreen={phone}>
      {opened && <BudgetForm onClose={onClose} budget={budget} />}
    </Modal>
  );
}

function BudgetForm({ onClose, budget }: { onClose: () => void; budget?: Budget }) {
  const client = useClient();
  const queries = useQueryClient();
  const [values, setValues] = useState<BudgetValues>(valuesOf(budget));
  const set = <K extends keyof BudgetValues>(key: K, value: BudgetValues[K]) => setValues((current) => ({ ...current, [key]: value }));
  const save = useMutation({
    mutationFn: async () => (await client.raw.PUT('/v1/budgets/{budgetId}', { params: { path: { budgetId: values.budgetId.trim() } }, body: bodyOf(values) })).data!,
    onSuccess: async () => {
      await queries.invalidateQueries({ queryKey: ['budgets'] });
      onClose();
    },
  });
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <TextInput label="Budget id" description='Lower-case letters, digits, "_" and "-"; setting an id again changes its terms.' required value={values.budgetId} onChange={(event) => set('budgetId', event.currentTarget.value)} disabled={budget !== undefined} />
        <Stack gap={4}>
          <Text size="sm" fw={500} id="budget-scope-label">Whose model calls it holds</Text>
          <SegmentedControl
            aria-labelledby="budget-scope-label"
            value={values.kind}
            onChange={(kind) => set('kind', kind as ScopeKind)}
            data={[
              { value: 'tenant', label: 'Whole tenant' },
              { value: 'agent', label: 'One agent' },
              { value: 'session', label: 'One session' },
            ]}
            fullWidth
          />
        </Stack>
        {values.kind === 'agent' && <TextInput label="Agent" required value={values.agent} onChange={(event) => set('agent', event.currentTarget.value)} placeholder="Researcher" />}
        {values.kind === 'session' && <TextInput label="Session id" required value={values.sessionId} onChange={(event) => set('sessionId', event.currentTarget.value)} />}
        {values.kind !== 'session' && (
          <Stack gap={4}>
            <Text size="sm" fw={500} id="budget-period-label">Period (UTC)</Text>
            <SegmentedControl aria-labelledby="budget-period-label" value={values.period} onChange={(period) => set('period', period as BudgetValues['period'])} data={[{ value: 'day', label: 'Per day' }, { value: 'month', label: 'Per month' }]} fullWidth />
          </Stack>
        )}
        <Stack gap={4}>
          <Text size="sm" fw={500} id="budget-unit-label">Counted in</Text>
          <SegmentedControl aria-labelledby="budget-unit-label" value={values.unit} onChange={(unit) => set('unit', unit as Budget['unit'])} data={[{ value: 'usd', label: 'USD' }, { value: 'tokens', label: 'Tokens' }]} fullWidth />
        </Stack>
        <NumberInput label={values.unit === 'usd' ? 'Limit (USD)' : 'Limit (tokens)'} required min={0} decimalScale={values.unit === 'usd' ? 6 : 0} thousandSeparator="," value={values.limit} onChange={(limit) => set('limit', limit)} />
        <Text size="sm" c="dimmed">
          Before each model call its worst case is held against every budget that applies; a call that would cross this one is refused, and its session fails naming the budget.
        </Text>
        {save.isError && (
          <Alert color="red" role="alert" title="The budget was not set">
            {explain(save.error)}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button type="submit" loading={save.isPending}>{budget ? 'Save terms' : 'Set budget'}</Button>
        </Group>
      </Stack>
    </form>
  );
}
