import { Group, Kbd, Text } from '@mantine/core';

const keys = [
  ['j', 'next'],
  ['k', 'previous'],
  ['a', 'approve'],
  ['r', 'reject'],
  ['e', 'edit arguments'],
] as const;

/** The single-key shortcuts, said quietly beside the title (on screens that have a keyboard nearby). */
export function ShortcutsLegend() {
  return (
    <Group gap={10} visibleFrom="sm" aria-label="Keyboard shortcuts" role="group">
      {keys.map(([key, action]) => (
        <Text key={key} size="xs" c="dimmed" component="span">
          <Kbd size="xs">{key}</Kbd> {action}
        </Text>
      ))}
    </Group>
  );
}
