import { Select, SimpleGrid, TextInput } from '@mantine/core';
import type { FilterName } from './filters';

const statuses = [
  { value: 'pending', label: 'Waiting for an operator' },
  { value: 'redriven', label: 'Redriven' },
  { value: 'discarded', label: 'Discarded' },
  { value: 'resolved', label: 'Resolved since' },
  { value: 'all', label: 'Any status' },
];

/** Consumer, code, tool, status and since; the tenant too for the platform admin, who sees every tenant's. */
export function DeadLetterFilters({ typed, set, platform }: { typed: Record<FilterName, string>; set(name: FilterName, value: string): void; platform: boolean }) {
  const text = (name: FilterName, label: string, placeholder: string) => (
    <TextInput label={label} placeholder={placeholder} value={typed[name]} onChange={(event) => set(name, event.currentTarget.value)} maxLength={200} />
  );
  return (
    <SimpleGrid cols={{ base: 2, md: platform ? 6 : 5 }} spacing="sm" mb="md">
      {text('consumer', 'Consumer', 'e.g. tool-adapters.events')}
      {text('code', 'Error code', 'e.g. timeout')}
      {text('tool', 'Tool', 'e.g. crm')}
      <Select label="Status" data={statuses} value={typed.status || 'pending'} onChange={(value) => set('status', value ?? 'all')} allowDeselect={false} />
      <TextInput label="Since" type="datetime-local" value={typed.since} onChange={(event) => set('since', event.currentTarget.value)} />
      {platform && text('tenant', 'Tenant', 'Every tenant')}
    </SimpleGrid>
  );
}
