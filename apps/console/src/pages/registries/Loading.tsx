import { Alert, Button, Group, Loader, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { explain } from '../../shell/explain';

/** What a view shows while its data is on the way, or when it could not be had: the failure in words, and a retry. */
export function Loading({ what }: { what: string }) {
  return (
    <Group gap="sm" py="lg" role="status" aria-live="polite">
      <Loader size="sm" />
      <Text c="dimmed">Loading {what}…</Text>
    </Group>
  );
}

export function Failed({ what, error, retry }: { what: string; error: unknown; retry?: () => void }) {
  return (
    <Alert color="red" title={`Could not load ${what}`} role="alert">
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{explain(error)}</Text>
        {retry && (
          <Button size="xs" variant="light" color="red" onClick={retry}>
            Try again
          </Button>
        )}
      </Stack>
    </Alert>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <Stack gap={4} py="xl" align="center" ta="center">
      <Text fw={600}>{title}</Text>
      {children && <Text c="dimmed" size="sm" maw={480}>{children}</Text>}
    </Stack>
  );
}
