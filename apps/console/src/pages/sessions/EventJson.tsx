import { Code, Group, Text } from '@mantine/core';
import { formatTime } from './format';
import classes from './EventJson.module.css';

interface ShownEvent {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly streamVersion: number;
  readonly occurredAt: string;
  readonly actor: { readonly kind: string; readonly id: string };
  readonly data: unknown;
}

/** One event, its type, version, time and actor in a line; its data (or the whole envelope) a click away. */
export function EventJson({ event, whole = false }: { event: ShownEvent; whole?: boolean }) {
  return (
    <details className={classes.event} data-event-type={event.type}>
      <summary className={classes.summary}>
        <Group gap="xs" wrap="wrap" component="span">
          <Text component="span" size="xs" c="dimmed" ff="monospace">
            v{event.streamVersion}
          </Text>
          <Text component="span" size="sm" fw={600}>
            {event.type}
          </Text>
          <Text component="span" size="xs" c="dimmed">
            schema {event.schemaVersion} · {formatTime(event.occurredAt)} · {event.actor.kind} {event.actor.id}
          </Text>
        </Group>
      </summary>
      <Code block className={classes.json} tabIndex={0}>
        {JSON.stringify(whole ? event : event.data, null, 2)}
      </Code>
    </details>
  );
}
