import type { Decision } from '@agent-orchestrator/client';
import { Alert, Anchor, Grid, Group, Paper, Stack, Text } from '@mantine/core';
import { readableAlert } from './alert-styles';
import { useHotkeys, useMediaQuery } from '@mantine/hooks';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { PageTitle } from '../../shell/Shell';
import { callName, matches, sortApprovals, type Approval } from './approval';
import { ApprovalDetail, type DecisionAnswer } from './ApprovalDetail';
import classes from './approvals.module.css';
import { InboxFilters } from './InboxFilters';
import { InboxList } from './InboxList';
import { useInboxView } from './inbox-view';
import { usePendingApprovals } from './queries';
import { ShortcutsLegend } from './ShortcutsLegend';

function noticeFor(approval: Approval, decision: Decision, answer: DecisionAnswer): string {
  const call = `${callName(approval)} for ${approval.agent}`;
  if (answer.status === 'pending') return `Your approval of ${call} is recorded; it needs more approvers before it runs.`;
  if (decision.decision === 'reject') return `Rejected ${call}. ${approval.agent} is told your reason.`;
  return `Approved ${call}${decision.arguments ? ' with your edited arguments' : ''}. The call runs now.`;
}

/**
 * The reviewer's inbox: pending calls on the left, the open one beside them (desktop) or on its own
 * view (phone). The open item is the URL (`/approvals/:approvalId`), the list's view its query.
 */
export function ApprovalsPage() {
  const { approvalId } = useParams();
  const navigate = useNavigate();
  const view = useInboxView();
  const wide = useMediaQuery('(min-width: 62em)', true, { getInitialValueInEffect: false });
  const mine = usePendingApprovals('me');
  const everyone = usePendingApprovals('all', view.scope === 'all');
  const shown = view.scope === 'me' ? mine : everyone;
  const pending = shown.data ?? [];
  const items = sortApprovals(pending.filter((item) => matches(item, view.filter)), view.order);
  const [notice, setNotice] = useState<string>();

  const open = (id: string | undefined) => navigate(id ? `/approvals/${id}${view.search}` : `/approvals${view.search}`);
  const index = items.findIndex((item) => item.approvalId === approvalId);
  const step = (by: 1 | -1) => {
    if (items.length === 0) return;
    const next = index === -1 ? (by === 1 ? 0 : items.length - 1) : Math.min(items.length - 1, Math.max(0, index + by));
    open(items[next]!.approvalId);
  };
  useHotkeys([
    ['j', () => step(1)],
    ['k', () => step(-1)],
  ]);

  const onDecided = (approval: Approval, decision: Decision, answer: DecisionAnswer) => {
    setNotice(noticeFor(approval, decision, answer));
    // The next item takes the decided one's place; at the end of the list, the one before it.
    const at = items.findIndex((item) => item.approvalId === approval.approvalId);
    const rest = items.filter((item) => item.approvalId !== approval.approvalId);
    open(rest[Math.min(Math.max(at, 0), rest.length - 1)]?.approvalId);
  };

  const fromList = [...(mine.data ?? []), ...(everyone.data ?? [])].find((item) => item.approvalId === approvalId);
  const inMyInbox = (mine.data ?? []).some((item) => item.approvalId === approvalId);
  const detail = approvalId ? (
    <ApprovalDetail key={approvalId} approvalId={approvalId} fromList={fromList} inMyInbox={inMyInbox} onDecided={onDecided} />
  ) : (
    <Text c="dimmed" size="sm">Choose a call to see what it would do, why it waits, and to decide it.</Text>
  );
  const list = (
    <Stack gap="sm">
      <InboxFilters view={view} items={pending} />
      <Text size="xs" c="dimmed" aria-live="polite">
        {shown.data ? `${items.length} of ${pending.length} pending, ${view.order === 'expiry' ? 'the soonest to expire first' : 'the newest first'}` : ''}
      </Text>
      <InboxList view={view} items={items} total={pending.length} selectedId={approvalId} loading={shown.isPending} failure={shown.error} />
    </Stack>
  );

  return (
    <Stack gap="sm">
      <Group justify="space-between" align="baseline" wrap="wrap" gap="xs">
        <PageTitle>Approvals</PageTitle>
        <ShortcutsLegend />
      </Group>
      {notice && (
        <Alert styles={readableAlert} color="teal" variant="light" role="status" withCloseButton closeButtonLabel="Dismiss" onClose={() => setNotice(undefined)}>
          {notice}
        </Alert>
      )}
      {wide ? (
        <Grid gap="md" align="flex-start">
          <Grid.Col span={5}>{list}</Grid.Col>
          <Grid.Col span={7}>
            <Paper withBorder p="md" className={classes.panel} component="section" aria-label="The selected call">{detail}</Paper>
          </Grid.Col>
        </Grid>
      ) : approvalId ? (
        <Stack gap="sm" component="section" aria-label="The selected call">
          <Anchor component={Link} to={`/approvals${view.search}`} size="sm">← All pending approvals</Anchor>
          {detail}
        </Stack>
      ) : (
        list
      )}
    </Stack>
  );
}
