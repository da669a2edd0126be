import { Button, Group, Paper, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { EventJson } from './EventJson';
import { ToneBadge } from './StatusBadge';
import { checkChain, type ChainCheck, type StoredLink } from './hash-chain';
import type { SessionStreams } from './useSessionRun';

const kindLabels: Record<string, string> = { session: 'Session', agentRun: 'Agent run', toolCall: 'Tool call', policyCheck: 'Policy check', approval: 'Approval' };

function ChainBadge({ check }: { check: ChainCheck | undefined }) {
  if (!check) return <ToneBadge color="gray">Checking the chain…</ToneBadge>;
  if (check.intact) {
    return (
      <ToneBadge color="green" data-chain="intact">
        Chain intact ({check.events} events)
      </ToneBadge>
    );
  }
  return (
    <ToneBadge color="red" data-chain="broken">
      Chain broken at version {check.brokenAt.streamVersion}
    </ToneBadge>
  );
}

/**
 * The session's log as stored, stream by stream, each stream's hash chain recomputed here in the
 * browser: a stream reads "intact" only if every event's content and predecessor match its hash.
 */
export function RawEvents({ streams, onFork }: { streams: SessionStreams; onFork?: (version: number) => void }) {
  const [checks, setChecks] = useState<ReadonlyMap<string, ChainCheck>>(new Map());
  useEffect(() => {
    let current = true;
    void Promise.all(streams.streams.map((stream) => checkChain(stream.streamId, stream.links as unknown as StoredLink[]))).then((results) => {
      if (current) setChecks(new Map(results.map((result) => [result.streamId, result])));
    });
    return () => {
      current = false;
    };
  }, [streams]);
  const total = streams.streams.reduce((sum, stream) => sum + stream.links.length, 0);
  return (
    <Stack gap="md">
      <Text size="sm" c="dimmed">
        {total} events in {streams.streams.length} streams, oldest first in each.
        {streams.truncated && ' The session has more streams than one page holds: the first ones are shown.'}
      </Text>
      {streams.streams.map((stream) => {
        const check = checks.get(stream.streamId);
        return (
          <Paper key={stream.streamId} withBorder p="sm" component="section" aria-label={`${kindLabels[stream.kind] ?? stream.kind} stream`} data-stream={stream.streamId}>
            <Group justify="space-between" gap="xs" wrap="wrap" mb={4}>
              <div style={{ minWidth: 0 }}>
                <Text size="sm" fw={600}>
                  {kindLabels[stream.kind] ?? stream.kind}
                </Text>
                <Text size="xs" c="dimmed" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                  {stream.streamId}
                </Text>
              </div>
              <ChainBadge check={check} />
            </Group>
            {check && !check.intact && (
              <Text size="sm" c="red" role="alert">
                Event {check.brokenAt.eventId} at version {check.brokenAt.streamVersion}: {check.brokenAt.why}.
              </Text>
            )}
            {stream.links.map((link) =>
              // A fork copies the session's own log up to a version: offered on that stream's events.
              onFork && stream.kind === 'session' ? (
                <Group key={link.event.eventId} gap="xs" wrap="nowrap" align="flex-start">
                  <div style={{ flex: 1, minWidth: 0 }}>
                    <EventJson event={link.event} whole />
                  </div>
                  <Button size="compact-xs" variant="subtle" mt={6} onClick={() => onFork(link.event.streamVersion)} aria-label={`Fork from here: version ${link.event.streamVersion}, ${link.event.type}`}>
                    Fork from here
                  </Button>
                </Group>
              ) : (
                <EventJson key={link.event.eventId} event={link.event} whole />
              ),
            )}
          </Paper>
        );
      })}
    </Stack>
  );
}
