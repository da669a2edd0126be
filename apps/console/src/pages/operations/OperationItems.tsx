import { Anchor, Button, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useState } from 'react';
import { Link } from 'react-router';
import { Failed, Loading } from '../registries/Loading';
import { ScrollTable } from '../registries/ScrollTable';
import { ToneBadge } from '../sessions/StatusBadge';
import { ItemDetail } from './ItemDetail';
import { OutcomeBadge } from './OperationStatus';
import { useOperationItems, type Operation, type OperationItem } from './queries';

const pageSize = 20;

/** A bar down the left edge of an item that repeats a side effect, beside its badge: seen at a glance, read in words. */
const marked = { boxShadow: 'inset 4px 0 0 var(--mantine-color-orange-6)' };

function Label({ item }: { item: OperationItem }) {
  return (
    <div style={{ minWidth: 0 }}>
      <Text size="sm" style={{ overflowWrap: 'anywhere' }}>{item.label}</Text>
      <Group gap={6} mt={2}>
        {item.sessionId && <Anchor component={Link} to={`/sessions/${encodeURIComponent(item.sessionId)}`} size="xs" underline="always">session</Anchor>}
        {item.repeatsSideEffect && <ToneBadge color="orange" size="xs">repeats a side effect</ToneBadge>}
      </Group>
    </div>
  );
}

/** Where the item came from, in one line: "tool-adapters.events · timeout · crm". */
const originOf = (item: OperationItem) => [item.consumer, item.code, item.tool].filter(Boolean).join(' · ') || item.source;

/** The operation's items a page at a time (cursor paging), those that repeat a side effect marked, each with its outcome once acted on. */
export function OperationItems({ operation }: { operation: Operation }) {
  // The cursors of the pages before this one, so Previous goes back without the API paging backwards.
  const [trail, setTrail] = useState<(string | undefined)[]>([]);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const page = useOperationItems(operation.operationId, cursor, pageSize, `${operation.status}:${operation.done}`);
  const wide = useMediaQuery('(min-width: 48em)', true, { getInitialValueInEffect: false });
  if (operation.total === 0) return null;
  const first = trail.length * pageSize + 1;
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="operation-items">
      <Group justify="space-between" mb="xs" gap="xs">
        <Title order={2} size="h4" id="operation-items">
          Items
        </Title>
        {page.data && page.data.items.length > 0 && (
          <Text size="sm" c="dimmed">
            {first.toLocaleString()}–{(first + page.data.items.length - 1).toLocaleString()} of {operation.total.toLocaleString()}
          </Text>
        )}
      </Group>
      {page.isPending ? (
        <Loading what="the items" />
      ) : page.isError ? (
        <Failed what="the items" error={page.error} retry={() => void page.refetch()} />
      ) : (
        <>
          {wide ? (
            <ScrollTable label="The operation's items" minWidth={760}>
              <Table verticalSpacing="xs" fz="sm">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Item</Table.Th>
                    <Table.Th scope="col">From</Table.Th>
                    <Table.Th scope="col">Tenant</Table.Th>
                    <Table.Th scope="col" w={120}>Outcome</Table.Th>
                    <Table.Th scope="col">Detail</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {page.data.items.map((item) => (
                    <Table.Tr key={item.itemId} data-item-id={item.itemId} data-repeats={item.repeatsSideEffect || undefined}>
                      <Table.Td maw={320} style={item.repeatsSideEffect ? marked : undefined}>
                        <Label item={item} />
                      </Table.Td>
                      <Table.Td style={{ overflowWrap: 'anywhere' }}>{originOf(item)}</Table.Td>
                      <Table.Td>{item.tenantId ?? <Text span size="sm" c="dimmed">none</Text>}</Table.Td>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}><OutcomeBadge outcome={item.outcome} /></Table.Td>
                      <Table.Td maw={320}><ItemDetail label={item.label} detail={item.detail} /></Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollTable>
          ) : (
            <Stack gap="xs" component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label="The operation's items">
              {page.data.items.map((item) => (
                <Card key={item.itemId} component="li" withBorder padding="xs" data-item-id={item.itemId} data-repeats={item.repeatsSideEffect || undefined} style={item.repeatsSideEffect ? marked : undefined}>
                  <Group justify="space-between" align="flex-start" wrap="nowrap" gap="xs">
                    <Label item={item} />
                    <OutcomeBadge outcome={item.outcome} />
                  </Group>
                  <Text size="xs" c="dimmed" mt={2} style={{ overflowWrap: 'anywhere' }}>{originOf(item)}{item.tenantId ? ` · ${item.tenantId}` : ''}</Text>
                  {item.detail ? <ItemDetail label={item.label} detail={item.detail} /> : null}
                </Card>
              ))}
            </Stack>
          )}
          {(trail.length > 0 || page.data.nextCursor) && (
            <Group justify="flex-end" gap="xs" mt="sm">
              <Button variant="default" size="xs" disabled={trail.length === 0} onClick={() => { setCursor(trail.at(-1)); setTrail(trail.slice(0, -1)); }}>
                Previous
              </Button>
              <Button variant="default" size="xs" disabled={!page.data.nextCursor} onClick={() => { setTrail([...trail, cursor]); setCursor(page.data.nextCursor ?? undefined); }}>
                Next
              </Button>
            </Group>
          )}
        </>
      )}
    </Card>
  );
}
