import { Anchor, Button, Card, Code, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useState } from 'react';
import { Link } from 'react-router';
import { PageTitle } from '../../shell/Shell';
import { Failed, Loading } from '../registries/Loading';
import { formatInstant } from '../registries/time';
import { DeadLetterStatus } from './DeadLetterTable';
import { PlanDialog, type DeadLetterAction } from './PlanDialog';
import { useDeadLetter, type DeadLetterDetail } from './queries';

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div style={{ minWidth: 0 }}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="sm" fw={500} data-fact={label} style={{ overflowWrap: 'anywhere' }}>
        {children}
      </Text>
    </div>
  );
}

type Message = DeadLetterDetail['message'];

/** The value as a person reads it: JSON indented; bytes that are not JSON as the gateway sent them, with its note. */
function shown(value: Message['value']): string {
  switch (value.encoding) {
    case 'json':
      return typeof value.json === 'string' ? value.json : JSON.stringify(value.json, null, 2);
    case 'base64':
      return `${value.note}\n\n${value.base64}`;
    case 'none':
      return value.note;
  }
}

/** The message as the consumer got it: key, headers (the dead-letter ones too) and value, decoded. */
function Message({ message, messageType }: { message: Message; messageType: string | null }) {
  const headers = Object.entries(message.headers);
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="dead-letter-message">
      <Title order={2} size="h4" id="dead-letter-message" mb="xs">
        The message{messageType ? `: ${messageType}` : ''}
      </Title>
      <Stack gap="sm">
        <Text size="sm">
          Key: {message.key === null ? <Text span c="dimmed">none</Text> : <Code>{message.key}</Code>}
        </Text>
        {headers.length > 0 && (
          <Table fz="sm" verticalSpacing={4} captionSide="top">
            <Table.Caption style={{ textAlign: 'start' }}>Headers</Table.Caption>
            <Table.Tbody>
              {headers.map(([name, value]) => (
                <Table.Tr key={name}>
                  <Table.Th scope="row" fw={500} w="35%" style={{ overflowWrap: 'anywhere' }}>{name}</Table.Th>
                  <Table.Td ff="monospace" style={{ overflowWrap: 'anywhere' }}>{value}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        <div>
          <Text size="sm" mb={4}>Value</Text>
          <Code block style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', maxHeight: '60vh', overflow: 'auto' }} tabIndex={0} aria-label="The message's value, decoded" data-testid="dead-letter-value">
            {shown(message.value)}
          </Code>
        </div>
      </Stack>
    </Card>
  );
}

/** One dead letter: why it failed, where it came from, how often it was tried and redriven, and the message itself. */
export function DeadLetterView({ deadLetterId }: { deadLetterId: string }) {
  const letter = useDeadLetter(deadLetterId);
  const [planning, { open, close }] = useDisclosure(false);
  const [action, setAction] = useState<DeadLetterAction>('redrive');
  const plan = (next: DeadLetterAction) => {
    setAction(next);
    open();
  };
  const back = (
    <Anchor component={Link} to="/dead-letters" size="sm">
      ← Dead letters
    </Anchor>
  );
  if (letter.isPending) return <Stack gap="md">{back}<Loading what="the dead letter" /></Stack>;
  if (letter.isError) {
    return (
      <Stack gap="md">
        {back}
        <PageTitle>Dead letter</PageTitle>
        <Failed what="the dead letter" error={letter.error} retry={() => void letter.refetch()} />
      </Stack>
    );
  }
  const item = letter.data;
  const waiting = item.status === 'pending';
  return (
    <Stack gap="md">
      {back}
      <Group justify="space-between" align="flex-start" gap="sm">
        <div style={{ minWidth: 0 }}>
          <PageTitle>{item.errorCode} from {item.consumer}</PageTitle>
          <Text size="sm" mt={-8} style={{ overflowWrap: 'anywhere' }}>{item.reason}</Text>
        </div>
        <DeadLetterStatus status={item.status} />
      </Group>
      {waiting && (
        <Group gap="sm">
          <Button onClick={() => plan('redrive')}>Redrive…</Button>
          <Button variant="outline" color="red.9" onClick={() => plan('discard')}>Discard…</Button>
        </Group>
      )}
      <Card withBorder padding="md">
        <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="md">
          <Fact label="Source">{item.source === 'parked-call' ? 'a parked tool call' : item.sourceTopic ? `${item.sourceTopic} [${item.sourcePartition}] @ ${item.sourceOffset}` : 'unknown'}</Fact>
          <Fact label="Attempts">{item.attempts}</Fact>
          <Fact label="Redrives">{item.redriveCount}</Fact>
          <Fact label="Tenant">{item.tenantId ?? 'none (undecodable)'}</Fact>
          <Fact label="First seen">{formatInstant(item.firstSeen)}</Fact>
          <Fact label="Last seen">{formatInstant(item.lastSeen)}</Fact>
          <Fact label="Tool">{item.tool ?? '—'}</Fact>

          <Fact label="Session">{item.sessionId ? <Anchor component={Link} to={`/sessions/${encodeURIComponent(item.sessionId)}`} size="sm">{item.sessionId}</Anchor> : '—'}</Fact>
        </SimpleGrid>
      </Card>
      {item.discardReason && <Text size="sm">Discarded{item.actedBy ? ` by ${item.actedBy}` : ''}: {item.discardReason}</Text>}
      {item.repeatsSideEffect && item.sideEffectNote && <Text size="sm">A redrive repeats a side effect: {item.sideEffectNote}.</Text>}
      <Message message={item.message} messageType={item.messageType} />
      {planning && <PlanDialog opened onClose={close} initial={action} filter={{ ids: [item.id] }} what="this dead letter" />}
    </Stack>
  );
}
