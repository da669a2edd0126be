import { Button, Code, Group, Modal, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { differingPaths, firstDifferenceOf, identicalReplay, type FirstDifference } from './format';

const json = (value: unknown) => (value === undefined ? '(nothing: no such event)' : JSON.stringify(value, null, 2));

/** The first difference of a replay, both versions side by side, with where they differ named first. */
function Difference({ difference }: { difference: FirstDifference }) {
  const paths = differingPaths(difference.recorded, difference.replayed);
  return (
    <Stack gap="sm">
      <Text size="sm">
        At {difference.eventType ? <b>{difference.eventType}</b> : 'an event'}
        {difference.version !== undefined && <> (version {difference.version}{difference.streamId ? ` of ${difference.streamId}` : ''})</>}, the decision came out differently. It differs in <b>{paths.join(', ')}</b>.
      </Text>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
        {(['recorded', 'replayed'] as const).map((side) => (
          <div key={side} style={{ minWidth: 0 }}>
            <Title order={3} size="h6" mb={4}>
              {side === 'recorded' ? 'As recorded' : 'As decided now'}
            </Title>
            <Code block style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', maxHeight: '50vh', overflow: 'auto' }} tabIndex={0} aria-label={side === 'recorded' ? 'The event as recorded' : 'The event as decided now'}>
              {json(difference[side])}
            </Code>
          </div>
        ))}
      </SimpleGrid>
    </Stack>
  );
}

/** An item's outcome detail: one line as it came, a replay's first difference behind a button, other records as JSON. */
export function ItemDetail({ label, detail }: { label: string; detail: unknown }) {
  const [opened, { open, close }] = useDisclosure(false);
  if (detail === undefined || detail === null || detail === '') return <Text span size="sm" c="dimmed">—</Text>;
  if (typeof detail === 'string') return <Text size="sm" style={{ overflowWrap: 'anywhere' }}>{detail}</Text>;
  const identical = identicalReplay(detail);
  if (identical) return <Text size="sm">{identical}</Text>;
  const difference = firstDifferenceOf(detail);
  return (
    <>
      <Group gap="xs" wrap="nowrap">
        {difference ? (
          <Text size="sm">
            Differs at {difference.eventType ?? 'an event'}
            {difference.version !== undefined ? ` v${difference.version}` : ''}
          </Text>
        ) : (
          <Text size="sm" lineClamp={1} ff="monospace" style={{ overflowWrap: 'anywhere' }}>
            {JSON.stringify(detail)}
          </Text>
        )}
        <Button size="compact-xs" variant="light" onClick={open} aria-label={`Show the detail of ${label}`}>
          Show
        </Button>
      </Group>
      <Modal opened={opened} closeButtonProps={{ 'aria-label': 'Close' }} onClose={close} title={label} size="xl">
        {difference ? <Difference difference={difference} /> : <Code block style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{json(detail)}</Code>}
      </Modal>
    </>
  );
}
