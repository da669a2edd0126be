import { Code, Group, Stack, Text } from '@mantine/core';
import { useMemo } from 'react';
import classes from './TraceView.module.css';
import { formatDuration } from './format';
import { waterfallOf } from './trace-waterfall';
import type { SessionStreams } from './useSessionRun';

const barColors: Record<string, string> = {
  session: 'gray',
  plan: 'grape',
  step: 'indigo',
  review: 'grape',
  invoke_agent: 'blue',
  chat: 'teal',
  execute_tool: 'orange',
  policy: 'red',
  approval: 'yellow',
};

/**
 * The session's trace as a waterfall, rebuilt in the browser from the events of its streams: each
 * event keeps its trace and span ids, so this is the tree an OTLP exporter sent, and it shows
 * whether or not one was configured. Prompt and answer text stay in the events; a span lists them.
 */
export function TraceView({ streams }: { streams: SessionStreams }) {
  const rows = useMemo(() => waterfallOf(streams.streams.flatMap((stream) => stream.links.map((link) => link.event))), [streams]);
  const traceId = rows[0]?.span.traceparent?.split('-')[1];
  if (rows.length === 0) return <Text c="dimmed">This session has no events to trace yet.</Text>;
  return (
    <Stack gap="xs">
      <Text size="sm">
        Trace <Code>{traceId ?? 'not recorded'}</Code>: {rows.length} spans, rebuilt from the session&apos;s log.
      </Text>
      <ol className={classes.rows} aria-label="Spans of the session's trace, in tree order">
        {rows.map((row) => (
          <li key={row.span.key} className={classes.row} style={{ paddingInlineStart: `min(${row.depth * 14}px, 30%)` }} data-span={row.span.operation} aria-level={row.depth + 1}>
            <Group className={classes.label}>
              <Text size="sm" fw={500}>
                {row.span.name}
              </Text>
              <Text size="xs" c="dimmed">
                {formatDuration(row.span.start, row.span.end)}
                {row.detail ? ` · ${row.detail}` : ''} · {row.span.eventIds.length} {row.span.eventIds.length === 1 ? 'event' : 'events'}
                {row.spanId ? ` · span ${row.spanId}` : ''}
              </Text>
            </Group>
            <div className={classes.track} aria-hidden="true">
              <div className={classes.bar} style={{ left: `${row.offsetPercent}%`, width: `${Math.min(row.widthPercent, 100 - row.offsetPercent)}%`, background: `var(--mantine-color-${barColors[row.span.operation]}-6)` }} />
            </div>
          </li>
        ))}
      </ol>
    </Stack>
  );
}
