import { Alert, Button, Group, Loader, Select, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue, useDisclosure } from '@mantine/hooks';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { useClient } from '../../auth/credentials';
import { explain } from '../../shell/explain';
import { PageTitle } from '../../shell/Shell';
import { sessionStatusLabels, type SessionStatus } from './format';
import { NewSessionModal } from './NewSessionModal';
import { SessionList } from './SessionList';

const statusOptions = [{ value: '', label: 'All statuses' }, ...Object.entries(sessionStatusLabels).map(([value, label]) => ({ value, label }))];

/** The tenant's sessions, newest first; the filters live in the address, so a filtered list can be shared. */
export function SessionsPage() {
  const client = useClient();
  const [params, setParams] = useSearchParams();
  const status = (params.get('status') ?? '') as SessionStatus | '';
  const search = params.get('q') ?? '';
  const [q] = useDebouncedValue(search.trim(), 300);
  const [creating, { open, close }] = useDisclosure(false);

  const setParam = (name: string, value: string) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (value) next.set(name, value);
        else next.delete(name);
        return next;
      },
      { replace: true },
    );

  const sessions = useInfiniteQuery({
    queryKey: ['sessions', { status, q }],
    queryFn: ({ pageParam }) => client.sessions.list({ limit: 20, ...(status ? { status } : {}), ...(q ? { q } : {}), ...(pageParam ? { cursor: pageParam } : {}) }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    // A list of running sessions moves on its own; an idle one is cheap to ask again.
    refetchInterval: 10_000,
  });
  const items = sessions.data?.pages.flatMap((page) => page.items) ?? [];
  const filtered = Boolean(status || q);

  return (
    <>
      <Group justify="space-between" align="flex-start" wrap="wrap" mb="md" gap="sm">
        <PageTitle>Sessions</PageTitle>
        <Button onClick={open}>New session</Button>
      </Group>
      <Group align="flex-end" gap="sm" mb="md" wrap="wrap">
        <TextInput
          label="Search goals"
          placeholder="A word of the goal"
          type="search"
          value={search}
          onChange={(event) => setParam('q', event.currentTarget.value)}
          maxLength={200}
          style={{ flex: '1 1 16rem' }}
        />
        <Select label="Status" data={statusOptions} value={status} onChange={(value) => setParam('status', value ?? '')} allowDeselect={false} style={{ flex: '1 1 12rem', maxWidth: '24rem' }} />
      </Group>
      {sessions.isPending ? (
        <Group gap="xs" py="xl" justify="center" role="status">
          <Loader size="sm" />
          <Text c="dimmed">Loading sessions…</Text>
        </Group>
      ) : sessions.isError ? (
        <Alert color="red" title="The sessions could not be loaded" role="alert">
          {explain(sessions.error)}
        </Alert>
      ) : items.length === 0 ? (
        <Stack align="center" py="xl" gap="xs">
          <Text fw={500}>{filtered ? 'No session matches these filters.' : 'No sessions yet.'}</Text>
          <Text c="dimmed" size="sm">
            {filtered ? 'Try another word or status.' : 'Start one with New session: give the agents a goal.'}
          </Text>
        </Stack>
      ) : (
        <Stack gap="md">
          <SessionList sessions={items} />
          {sessions.hasNextPage && (
            <Group justify="center">
              <Button variant="default" onClick={() => void sessions.fetchNextPage()} loading={sessions.isFetchingNextPage}>
                Load more
              </Button>
            </Group>
          )}
        </Stack>
      )}
      <NewSessionModal opened={creating} onClose={close} />
    </>
  );
}
