import { Alert, Anchor, Badge, Group, Loader, Paper, SimpleGrid, Stack, Tabs, Text } from '@mantine/core';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { explain } from '../../shell/explain';
import { PageTitle } from '../../shell/Shell';
import { CancelSession } from './CancelSession';
import { ForkDialog, useMayFork } from './ForkSession';
import { ParkedCalls } from './ParkedCalls';
import failureText from './failure-text.module.css';
import { formatCost, formatDuration, formatStarted, formatTokens, hasEnded } from './format';
import { RawEvents } from './RawEvents';
import { SessionAnalysis } from './SessionAnalysis';
import { RunView } from './RunView';
import type { RunNode } from './session-tree';
import { SessionStatusBadge } from './StatusBadge';
import { TraceView } from './TraceView';
import { useSessionRun, type Following, type SessionView } from './useSessionRun';

/** The log says how a session ended as soon as it happens; the summary (a read model) may say it a moment later. */
function statusOf(summary: SessionView | undefined, tree: RunNode): string {
  if (tree.status === 'succeeded') return 'completed';
  if (tree.status === 'failed' || tree.status === 'cancelled') return tree.status;
  return summary?.status ?? 'queued';
}

function FollowingBadge({ following }: { following: Following }) {
  switch (following.state) {
    case 'loading':
      return null;
    case 'live':
      return <Badge variant="dot" color="green">Live</Badge>;
    case 'reconnecting':
      return <Badge variant="dot" color="orange" role="status">Reconnecting…</Badge>;
    case 'ended':
      return null;
    case 'failed':
      return <Badge variant="dot" color="red" title={explain(following.error)}>Not following</Badge>;
  }
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="sm" fw={500} data-fact={label}>
        {children}
      </Text>
    </div>
  );
}

export function SessionPage() {
  const { sessionId = '' } = useParams();
  // Another session is another page: its state starts afresh.
  return <SessionRun key={sessionId} sessionId={sessionId} />;
}

function SessionRun({ sessionId }: { sessionId: string }) {
  const { summary, streams, tree, following } = useSessionRun(sessionId);
  const [tab, setTab] = useState<string | null>('run');
  const mayFork = useMayFork();
  const [forkAt, setForkAt] = useState<number | undefined>(undefined);
  const view = summary.data;
  const detail = view && 'tenantId' in view ? view : undefined;
  const status = statusOf(view, tree);
  const ended = hasEnded(status);
  const endedAt = detail?.endedAt ?? tree.endedAt;

  return (
    <Stack gap="md">
      <Anchor component={Link} to="/sessions" size="sm">
        ← Sessions
      </Anchor>
      {summary.isError ? (
        <>
          <PageTitle>Session</PageTitle>
          <Alert color="red" title="This session could not be loaded" role="alert">
            {explain(summary.error)}
          </Alert>
        </>
      ) : (
        <>
          <Group justify="space-between" align="flex-start" wrap="nowrap" gap="sm">
            <div style={{ minWidth: 0, overflowWrap: 'anywhere' }}>
              <PageTitle>{view?.goal ?? (tree.title !== 'Session' ? tree.title : 'Session')}</PageTitle>
            </div>
            {!ended && view && <CancelSession sessionId={sessionId} />}
          </Group>
          <Paper withBorder p="md">
            <Group gap="xs" mb="sm" aria-live="polite">
              <SessionStatusBadge status={status} />
              <FollowingBadge following={following} />
            </Group>
            <SimpleGrid cols={{ base: 2, sm: 5 }} spacing="md">
              <Fact label="Started">{formatStarted(view?.startedAt)}</Fact>
              <Fact label="Duration">{formatDuration(view?.startedAt, endedAt)}</Fact>
              <Fact label="Steps">{detail && detail.stepsTotal > 0 ? `${detail.stepsCompleted}/${detail.stepsTotal}` : '—'}</Fact>
              <Fact label="Tokens">{formatTokens(detail?.inputTokens, detail?.outputTokens)}</Fact>
              <Fact label="Cost">{formatCost(detail?.costUsd)}</Fact>
            </SimpleGrid>
            {detail?.forkedFrom && (
              <Text size="sm" mt="sm" data-testid="forked-from">
                Forked from{' '}
                <Anchor component={Link} to={`/sessions/${encodeURIComponent(detail.forkedFrom.sessionId)}`} underline="always">
                  {detail.forkedFrom.sessionId}
                </Anchor>{' '}
                at version {detail.forkedFrom.version}
              </Text>
            )}
            {detail?.failureReason && (
              <Text size="sm" mt="sm" className={status === 'failed' ? failureText.failure : undefined}>
                {status === 'cancelled' ? 'Cancelled: ' : 'Why: '}
                {detail.failureReason}
              </Text>
            )}
          </Paper>
          {detail && <ParkedCalls calls={detail.parkedCalls} mayAct={mayFork} />}
          {view && <SessionAnalysis sessionId={sessionId} mayAnalyze={mayFork} />}
          <Tabs value={tab} onChange={setTab} keepMounted={false}>
            <Tabs.List>
              <Tabs.Tab value="run">Run</Tabs.Tab>
              <Tabs.Tab value="trace">Trace</Tabs.Tab>
              <Tabs.Tab value="raw">Raw events</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="run" pt="md">
              {streams.isPending && summary.isPending ? <Loading /> : <RunView tree={tree} />}
              {streams.isError && (
                <Alert color="orange" mt="md" title="The run's detail could not be loaded">
                  {explain(streams.error)} The steps above come from the session's own log.
                </Alert>
              )}
            </Tabs.Panel>
            <Tabs.Panel value="trace" pt="md">
              {streams.isPending ? <Loading /> : streams.isError ? <Alert color="red" role="alert" title="The trace could not be rebuilt">{explain(streams.error)}</Alert> : <TraceView streams={streams.data} />}
            </Tabs.Panel>
            <Tabs.Panel value="raw" pt="md">
              {streams.isPending ? <Loading /> : streams.isError ? <Alert color="red" role="alert" title="The events could not be loaded">{explain(streams.error)}</Alert> : <RawEvents streams={streams.data} {...(mayFork ? { onFork: setForkAt } : {})} />}
            </Tabs.Panel>
          </Tabs>
          {forkAt !== undefined && <ForkDialog sessionId={sessionId} atVersion={forkAt} onClose={() => setForkAt(undefined)} />}
        </>
      )}
    </Stack>
  );
}

function Loading() {
  return (
    <Group gap="xs" py="xl" justify="center" role="status">
      <Loader size="sm" />
      <Text c="dimmed">Loading the run…</Text>
    </Group>
  );
}
