import { Alert, Badge, Button, Group, Loader, Stack, Text, UnstyledButton } from '@mantine/core';
import { readableAlert } from './alert-styles';
import { Link } from 'react-router';
import { explain } from '../../shell/explain';
import { callName, shortId, type Approval } from './approval';
import type { InboxView } from './inbox-view';
import classes from './approvals.module.css';
import { TimeLeftBadge } from './TimeLeft';
import { ago, useNow } from './time';

interface InboxListProps {
  readonly view: InboxView;
  /** The items to show, filtered and in order. */
  readonly items: readonly Approval[];
  /** How many pending items there are before the filters. */
  readonly total: number;
  readonly selectedId: string | undefined;
  readonly loading: boolean;
  readonly failure: unknown;
}

export function InboxList({ view, items, total, selectedId, loading, failure }: InboxListProps) {
  const now = useNow(15_000);
  if (failure) return <Alert styles={readableAlert} color="red" title="The inbox could not be read">{explain(failure)}</Alert>;
  if (loading) return <Group gap="xs" role="status"><Loader size="sm" /><Text size="sm">Reading the inbox…</Text></Group>;
  if (total === 0) return <EmptyInbox view={view} />;
  if (items.length === 0) {
    return (
      <Stack gap="xs" align="flex-start" role="status">
        <Text fw={600}>No pending call matches these filters</Text>
        <Text size="sm" c="dimmed">{total} {total === 1 ? 'call waits' : 'calls wait'} under other filters.</Text>
        <Button variant="light" size="xs" onClick={() => view.update({ agent: null, tool: null, session: null })}>Clear the filters</Button>
      </Stack>
    );
  }
  return (
    <Stack gap={6} component="ul" className={classes.list} aria-label="Pending approvals">
      {items.map((item) => (
        <li key={item.approvalId} data-approval-row="">
          <UnstyledButton
            component={Link}
            to={`/approvals/${item.approvalId}${view.search}`}
            className={classes.item}
            aria-current={item.approvalId === selectedId ? 'true' : undefined}
            data-approval-id={item.approvalId}
          >
            <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
              <Text fw={600} className={classes.callName}>{callName(item)}</Text>
              <TimeLeftBadge approval={item} />
            </Group>
            <Text size="sm" lineClamp={2}>{item.context.goal}</Text>
            <Group gap={6} mt={4}>
              <Badge variant="default" size="xs" tt="none">{item.agent}</Badge>
              <Text size="xs" c="dimmed">for {item.role} · asked {ago(item.requestedAt, now)} · session {shortId(item.sessionId)}</Text>
            </Group>
          </UnstyledButton>
        </li>
      ))}
    </Stack>
  );
}

function EmptyInbox({ view }: { view: InboxView }) {
  return (
    <Stack gap={4} align="flex-start" role="status" className={classes.empty}>
      <Text fw={600} size="lg">Nothing waits for you</Text>
      <Text size="sm" c="dimmed">
        {view.scope === 'me'
          ? 'When an agent asks to make a call your role approves, it appears here on its own; you can leave this page open.'
          : 'No call in this tenant waits for a decision. New requests appear here on their own.'}
      </Text>
      {view.scope === 'me' && (
        <Button variant="subtle" size="compact-sm" px={0} onClick={() => view.set('for', 'all')}>Show what waits for other roles</Button>
      )}
    </Stack>
  );
}
