import { Anchor, Badge, Button, Group, Table, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Link } from 'react-router';
import { PageTitle } from '../../shell/Shell';
import { Empty, Failed, Loading } from '../registries/Loading';
import { useMayManageRegistries } from '../registries/permissions';
import { AgentFormModal } from './AgentFormModal';
import { useAgents } from './queries';
import { ScrollTable } from '../registries/ScrollTable';

export function AgentList() {
  const agents = useAgents();
  const mayManage = useMayManageRegistries();
  const [creating, { open, close }] = useDisclosure(false);
  return (
    <>
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <PageTitle>Agents</PageTitle>
        {mayManage && <Button onClick={open}>New agent</Button>}
      </Group>
      <Text c="dimmed" size="sm" mb="md" maw={720}>
        The agents your tenant defined, each at its latest version. Built-in agents (Planner, Researcher, Executor, Reviewer) appear here once redefined. A session pins the versions it started with.
      </Text>
      {agents.isPending ? (
        <Loading what="agents" />
      ) : agents.isError ? (
        <Failed what="agents" error={agents.error} retry={() => void agents.refetch()} />
      ) : agents.data.length === 0 ? (
        <Empty title="No agents of your own yet">{mayManage ? 'Define one with “New agent”.' : 'An admin defines agents.'}</Empty>
      ) : (
        <ScrollTable label="Agents table" minWidth={600}>
          <Table striped highlightOnHover verticalSpacing="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Name</Table.Th>
                <Table.Th scope="col">Model</Table.Th>
                <Table.Th scope="col">Tools</Table.Th>
                <Table.Th scope="col">Version</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {agents.data.map((agent) => (
                <Table.Tr key={agent.name}>
                  <Table.Td>
                    <Anchor component={Link} to={`/agents/${encodeURIComponent(agent.name)}`} fw={600}>{agent.name}</Anchor>
                    {agent.description && <Text size="xs" c="dimmed" lineClamp={1}>{agent.description}</Text>}
                  </Table.Td>
                  <Table.Td>{agent.model ?? <Text span size="sm" c="dimmed">runtime default</Text>}</Table.Td>
                  <Table.Td>
                    {agent.tools.length === 0 ? <Text span size="sm" c="dimmed">none</Text> : (
                      <Group gap={4}>{agent.tools.map((tool) => <Badge key={tool} variant="default" tt="none">{tool}</Badge>)}</Group>
                    )}
                  </Table.Td>
                  <Table.Td>v{agent.version}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
      {mayManage && <AgentFormModal opened={creating} onClose={close} />}
    </>
  );
}
