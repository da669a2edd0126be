import { Anchor, Badge, Group, List, Text } from '@mantine/core';
import { Link } from 'react-router';
import { formatInstant } from './time';

export interface VersionEntry {
  readonly version: number;
  /** When it was made; undefined while it loads. */
  readonly at?: string;
}

/**
 * The versions of a registry entry, newest first, each a link to the page at that version. The
 * one on screen is marked in words and by aria-current, not by colour alone.
 */
export function VersionHistory({ versions, shown, latest, hrefOf }: { versions: readonly VersionEntry[]; shown: number; latest: number; hrefOf: (version: number) => string }) {
  return (
    <List listStyleType="none" spacing={6} aria-label="Versions" p={0}>
      {versions.map(({ version, at }) => (
        <List.Item key={version}>
          <Group gap="xs" wrap="wrap">
            {version === shown ? (
              <Text fw={700} aria-current="page">v{version}</Text>
            ) : (
              <Anchor component={Link} to={hrefOf(version)}>
                v{version}
              </Anchor>
            )}
            {version === latest && <Badge size="xs" variant="dot" tt="none">latest</Badge>}
            {version === shown && <Badge size="xs" variant="default" tt="none">shown</Badge>}
            <Text size="sm" c="dimmed">{at ? formatInstant(at) : '…'}</Text>
          </Group>
        </List.Item>
      ))}
    </List>
  );
}
