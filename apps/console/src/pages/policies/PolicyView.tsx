import { Badge, Card, Group, List, SimpleGrid, Table, Text, Title } from '@mantine/core';
import { Empty } from '../registries/Loading';
import { formatInstant } from '../registries/time';
import type { Policy } from './queries';
import { approvalWords, effectColours, effectWords, matchWords } from './words';
import { ScrollTable } from '../registries/ScrollTable';

export function EffectBadge({ effect }: { effect: string }) {
  return <Badge color={effectColours[effect] ?? 'gray'} variant="dot" tt="none">{effectWords[effect] ?? effect}</Badge>;
}

/** The policy in effect: its version and defaults at a glance, then its rules as a table. */
export function PolicyView({ policy }: { policy: Policy }) {
  const rules = policy.rules ?? [];
  return (
    <section aria-labelledby="policy-current">
      <Title order={2} size="h3" id="policy-current" mb="sm">In effect</Title>
      <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="sm" mb="md">
        <Card withBorder padding="sm">
          <Text size="xs" c="dimmed" fw={600} tt="uppercase">Version</Text>
          <Text fw={700} size="lg">v{policy.version}</Text>
          <Text size="sm" c="dimmed">{policy.updatedAt ? `set ${formatInstant(policy.updatedAt)}` : 'none set yet: every call allowed'}</Text>
        </Card>
        <Card withBorder padding="sm">
          <Text size="xs" c="dimmed" fw={600} tt="uppercase">When no rule matches</Text>
          <Group mt={4}><EffectBadge effect={policy.defaultEffect ?? 'allow'} /></Group>
        </Card>
        <Card withBorder padding="sm">
          <Text size="xs" c="dimmed" fw={600} tt="uppercase">Allowed tools</Text>
          {policy.allowedTools === undefined ? (
            <Text size="sm">Any tool (no allow-list)</Text>
          ) : policy.allowedTools.length === 0 ? (
            <Text size="sm">None: every call is denied</Text>
          ) : (
            <Group gap={4} mt={4}>{policy.allowedTools.map((tool) => <Badge key={tool} variant="default" tt="none">{tool}</Badge>)}</Group>
          )}
        </Card>
      </SimpleGrid>
      <Title order={3} size="h4" mb="xs">Rules ({rules.length})</Title>
      {rules.length === 0 ? (
        <Empty title="No rules">Every call gets the default above.</Empty>
      ) : (
        <ScrollTable label="Rules table" minWidth={720}>
          <Table striped verticalSpacing="sm" aria-label="Rules">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Rule</Table.Th>
                <Table.Th scope="col">Effect</Table.Th>
                <Table.Th scope="col">Matches</Table.Th>
                <Table.Th scope="col">Approval</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rules.map((rule) => {
                const matches = matchWords(rule.match);
                return (
                  <Table.Tr key={rule.id}>
                    <Table.Td>
                      <Text fw={600} size="sm" ff="monospace">{rule.id}</Text>
                      {rule.description && <Text size="sm" c="dimmed">{rule.description}</Text>}
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}><EffectBadge effect={rule.effect} /></Table.Td>
                    <Table.Td>
                      {matches.length === 0 ? <Text size="sm">every call</Text> : (
                        <List size="sm" spacing={2}>{matches.map((phrase) => <List.Item key={phrase}>{phrase}</List.Item>)}</List>
                      )}
                    </Table.Td>
                    <Table.Td><Text size="sm">{approvalWords(rule.approval) ?? '—'}</Text></Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
    </section>
  );
}
