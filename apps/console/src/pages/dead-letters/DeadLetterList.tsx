import { Button, Group, Loader, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useState } from 'react';
import { PageTitle } from '../../shell/Shell';
import { Empty, Failed, Loading } from '../registries/Loading';
import { MissingRoute } from '../operations/MissingRoute';
import type { OperationFilter } from '../operations/queries';
import { isMissingRoute } from '../operations/replay-api';
import { DeadLetterFilters } from './DeadLetterFilters';
import { DeadLetterTable } from './DeadLetterTable';
import { useDeadLetterFilter } from './filters';
import { PlanDialog, type DeadLetterAction } from './PlanDialog';
import { useDeadLetters } from './queries';

/**
 * The dead letters the filter matches, newest first. Choose rows, or everything the filter
 * matches, then plan a redrive or a discard: the next page is its exact dry run.
 */
export function DeadLetterList({ platform }: { platform: boolean }) {
  const { typed, filter, set, filtered, key } = useDeadLetterFilter();
  const letters = useDeadLetters(filter);
  const items = letters.data?.pages.flatMap((page) => page.items) ?? [];
  // What is chosen belongs to the filter it was chosen under: a new filter starts afresh.
  const [chosen, setChosen] = useState<{ key: string; ids: ReadonlySet<string>; all: boolean }>({ key, ids: new Set(), all: false });
  const selection = chosen.key === key ? chosen : { key, ids: new Set<string>(), all: false };
  const [planning, { open, close }] = useDisclosure(false);
  const [action, setAction] = useState<DeadLetterAction>('redrive');

  const toggle = (id: string) => {
    const ids = new Set(selection.ids);
    if (ids.has(id)) ids.delete(id);
    else ids.add(id);
    setChosen({ key, ids, all: false });
  };
  const chooseAll = (all: boolean) => setChosen({ key, ids: all ? new Set(items.map((item) => item.id)) : new Set(), all });
  // An operation acts on what still waits (pending), whatever status the list shows: the dry run counts exactly those.
  const { status: _shown, ...matching } = filter;
  const planFilter: OperationFilter = selection.all ? matching : { ids: [...selection.ids] };
  const what = selection.all ? 'every waiting dead letter this filter matches' : `${selection.ids.size} chosen dead letter${selection.ids.size === 1 ? '' : 's'}`;
  const plan = (next: DeadLetterAction) => {
    setAction(next);
    open();
  };

  return (
    <>
      <Group justify="space-between" align="flex-start" gap="sm">
        <PageTitle>Dead letters</PageTitle>
        {letters.isFetching && !letters.isPending && <Loader size="xs" aria-label="Refreshing" />}
      </Group>
      <Text c="dimmed" size="sm" mb="md" maw={760}>
        Messages a consumer gave up on after its retries, and tool calls parked when their tool kept failing. Once the cause is fixed, redrive them to the consumer that failed (or run the call once more); or discard them, saying why.
      </Text>
      <DeadLetterFilters typed={typed} set={set} platform={platform} />
      {letters.isPending ? (
        <Loading what="the dead letters" />
      ) : letters.isError ? (
        isMissingRoute(letters.error) ? <MissingRoute route="GET /v1/dead-letters" what="the dead-letter index" /> : <Failed what="the dead letters" error={letters.error} retry={() => void letters.refetch()} />
      ) : items.length === 0 ? (
        <Empty title={filtered ? 'No dead letter matches these filters' : 'No dead letters'}>{filtered ? 'Try a wider filter, or another status.' : 'Every consumer has handled everything it was sent.'}</Empty>
      ) : (
        <Stack gap="sm">
          <Group justify="space-between" gap="sm" role="toolbar" aria-label="With the chosen dead letters">
            <Text size="sm" aria-live="polite" data-testid="selection">
              {selection.all || selection.ids.size > 0 ? `Chosen: ${what}` : `${items.length.toLocaleString()}${letters.hasNextPage ? ' or more' : ''} shown; choose some, or all that match.`}
            </Text>
            <Group gap="xs">
              <Button variant="default" size="sm" onClick={() => chooseAll(!selection.all)}>
                {selection.all ? 'Clear the choice' : 'Choose all matching'}
              </Button>
              <Button size="sm" disabled={!selection.all && selection.ids.size === 0} onClick={() => plan('redrive')}>
                Redrive…
              </Button>
              <Button size="sm" variant="outline" color="red.9" disabled={!selection.all && selection.ids.size === 0} onClick={() => plan('discard')}>
                Discard…
              </Button>
            </Group>
          </Group>
          <DeadLetterTable items={items} chosen={selection.ids} all={selection.all} toggle={toggle} chooseAll={chooseAll} />
          {letters.hasNextPage && (
            <Group justify="center">
              <Button variant="default" onClick={() => void letters.fetchNextPage()} loading={letters.isFetchingNextPage}>
                Load more
              </Button>
            </Group>
          )}
        </Stack>
      )}
      {planning && <PlanDialog opened onClose={close} initial={action} filter={planFilter} what={what} />}
    </>
  );
}
