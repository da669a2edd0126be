import { Select, SegmentedControl, SimpleGrid, Stack } from '@mantine/core';
import { orders, shortId, targetOf, type Approval } from './approval';
import type { InboxView } from './inbox-view';

const distinct = (values: readonly string[]) => [...new Set(values)].sort((a, b) => a.localeCompare(b));

/** Whose items, which order, and narrowing by agent, tool and session; every choice is kept in the URL. */
export function InboxFilters({ view, items }: { view: InboxView; items: readonly Approval[] }) {
  const { filter } = view;
  // A filter from a shared link stays selectable even when nothing pending matches it any more.
  const withCurrent = (values: string[], current: string | undefined) => distinct(current ? [...values, current] : values);
  const sessions = new Map(items.map((item) => [item.sessionId, `${item.context.goal} (${shortId(item.sessionId)})`]));
  if (filter.session && !sessions.has(filter.session)) sessions.set(filter.session, shortId(filter.session));
  return (
    <Stack gap="xs">
      <SegmentedControl
        aria-label="Whose approvals"
        fullWidth
        value={view.scope}
        onChange={(value) => view.set('for', value === 'all' ? 'all' : null)}
        data={[
          { value: 'me', label: 'Waiting for me' },
          { value: 'all', label: 'All pending' },
        ]}
      />
      <SimpleGrid cols={2} spacing="xs" verticalSpacing="xs">
        <Select label="Agent" placeholder="Any agent" size="xs" clearable data={withCurrent(items.map((item) => item.agent), filter.agent)} value={filter.agent ?? null} onChange={(value) => view.set('agent', value)} />
        <Select
          label="Tool"
          placeholder="Any tool"
          size="xs"
          clearable
          data={withCurrent(items.map((item) => targetOf(item).tool), filter.tool)}
          value={filter.tool ?? null}
          onChange={(value) => view.set('tool', value)}
        />
        <Select
          label="Session"
          placeholder="Any session"
          size="xs"
          clearable
          searchable
          data={[...sessions].map(([value, label]) => ({ value, label }))}
          value={filter.session ?? null}
          onChange={(value) => view.set('session', value)}
        />
        <Select
          label="Order"
          size="xs"
          allowDeselect={false}
          data={Object.entries(orders).map(([value, label]) => ({ value, label }))}
          value={view.order}
          onChange={(value) => view.set('order', value === 'expiry' ? null : value)}
        />
      </SimpleGrid>
    </Stack>
  );
}

