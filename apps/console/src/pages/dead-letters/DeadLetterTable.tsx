import { Anchor, Card, Checkbox, Group, Stack, Table, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { Link } from 'react-router';
import { ScrollTable } from '../registries/ScrollTable';
import { formatInstant } from '../registries/time';
import { ToneBadge } from '../sessions/StatusBadge';
import type { DeadLetter } from './queries';

const statusColors: Record<string, string> = { pending: 'orange', redriven: 'blue', discarded: 'gray', resolved: 'green' };

export function DeadLetterStatus({ status }: { status: string }) {
  return <ToneBadge color={statusColors[status] ?? 'gray'} data-status={status}>{statusWords[status] ?? status}</ToneBadge>;
}

const linkTo = (letter: DeadLetter) => `/dead-letters/${encodeURIComponent(letter.id)}`;
const nameOf = (letter: DeadLetter) => `${letter.errorCode} from ${letter.consumer}`;

const statusWords: Record<string, string> = { pending: 'waiting', redriven: 'redriven', discarded: 'discarded', resolved: 'resolved' };

interface Props {
  readonly items: readonly DeadLetter[];
  readonly chosen: ReadonlySet<string>;
  readonly all: boolean;
  toggle(id: string): void;
  chooseAll(all: boolean): void;
}

/** A table on a wide screen (a box per row to choose it); on a phone, one card per dead letter. */
export function DeadLetterTable({ items, chosen, all, toggle, chooseAll }: Props) {
  const wide = useMediaQuery('(min-width: 48em)', true, { getInitialValueInEffect: false });
  const isChosen = (letter: DeadLetter) => all || chosen.has(letter.id);
  const choose = (letter: DeadLetter) => (
    <Checkbox aria-label={`Choose ${nameOf(letter)}, ${letter.id}`} checked={isChosen(letter)} disabled={all} onChange={() => toggle(letter.id)} />
  );
  if (!wide) {
    return (
      <Stack gap="sm" component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Dead letters">
        {items.map((letter) => (
          <Card key={letter.id} withBorder padding="sm" component="li" data-dead-letter-id={letter.id}>
            <Group gap="sm" wrap="nowrap" align="flex-start">
              {choose(letter)}
              <Stack gap={4} miw={0} style={{ flex: 1 }}>
                <Group justify="space-between" gap="xs" wrap="nowrap">
                  <Anchor component={Link} to={linkTo(letter)} fw={600} style={{ overflowWrap: 'anywhere' }}>
                    {letter.errorCode}
                  </Anchor>
                  <DeadLetterStatus status={letter.status} />
                </Group>
                <Text size="sm" lineClamp={2} style={{ overflowWrap: 'anywhere' }}>{letter.reason}</Text>
                <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                  {letter.consumer}{letter.tool ? ` · ${letter.tool}` : ''} · {letter.attempts} attempts · last {formatInstant(letter.lastSeen)}
                </Text>
              </Stack>
            </Group>
          </Card>
        ))}
      </Stack>
    );
  }
  const some = chosen.size > 0 && !all;
  return (
    <ScrollTable label="Dead letters" minWidth={900}>
      <Table highlightOnHover verticalSpacing="xs" fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={36}>
              <Checkbox aria-label="Choose every dead letter shown" checked={all || (items.length > 0 && items.every((letter) => chosen.has(letter.id)))} indeterminate={some && !items.every((letter) => chosen.has(letter.id))} onChange={(event) => chooseAll(event.currentTarget.checked)} />
            </Table.Th>
            <Table.Th scope="col">Code and reason</Table.Th>
            <Table.Th scope="col">Consumer</Table.Th>
            <Table.Th scope="col">Tool</Table.Th>
            <Table.Th scope="col">Tenant</Table.Th>
            <Table.Th scope="col" ta="right">Attempts</Table.Th>
            <Table.Th scope="col" ta="right">Redrives</Table.Th>
            <Table.Th scope="col">Last seen</Table.Th>
            <Table.Th scope="col" w={110}>Status</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((letter) => (
            <Table.Tr key={letter.id} data-dead-letter-id={letter.id} bg={isChosen(letter) ? 'var(--mantine-primary-color-light)' : undefined}>
              <Table.Td>{choose(letter)}</Table.Td>
              <Table.Td maw={340}>
                <Anchor component={Link} to={linkTo(letter)} fw={600}>
                  {letter.errorCode}
                </Anchor>
                <Text size="sm" c="dimmed" lineClamp={2} style={{ overflowWrap: 'anywhere' }}>{letter.reason}</Text>
              </Table.Td>
              <Table.Td style={{ overflowWrap: 'break-word' }} maw={220}>
                {letter.consumer}
                {letter.source === 'parked-call' && <Text size="xs" c="dimmed">a parked tool call</Text>}
              </Table.Td>
              <Table.Td>{letter.tool ?? '—'}</Table.Td>
              <Table.Td>{letter.tenantId ?? <Text span size="sm" c="dimmed">none</Text>}</Table.Td>
              <Table.Td ta="right">{letter.attempts}</Table.Td>
              <Table.Td ta="right">{letter.redriveCount}</Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatInstant(letter.lastSeen)}</Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}><DeadLetterStatus status={letter.status} /></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}
