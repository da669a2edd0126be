import { Anchor, Badge, Button, Group, Table, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Link } from 'react-router';
import { PageTitle } from '../../shell/Shell';
import { Empty, Failed, Loading } from '../registries/Loading';
import { useMayManageRegistries } from '../registries/permissions';
import { useTools } from './queries';
import { RegisterToolModal } from './RegisterToolModal';
import { ScrollTable } from '../registries/ScrollTable';

export function ToolList() {
  const tools = useTools();
  const mayManage = useMayManageRegistries();
  const [registering, { open, close }] = useDisclosure(false);
  return (
    <>
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <PageTitle>Tools</PageTitle>
        {mayManage && <Button onClick={open}>Register tool</Button>}
      </Group>
      <Text c="dimmed" size="sm" mb="md" maw={720}>
        APIs your agents may call, each registered from an OpenAPI document. Every operation of a tool is one thing a model can ask to do; policies decide whether it may.
      </Text>
      {tools.isPending ? (
        <Loading what="tools" />
      ) : tools.isError ? (
        <Failed what="tools" error={tools.error} retry={() => void tools.refetch()} />
      ) : tools.data.length === 0 ? (
        <Empty title="No tools yet">{mayManage ? 'Register one from an OpenAPI document with “Register tool”.' : 'An admin registers tools from OpenAPI documents.'}</Empty>
      ) : (
        <ScrollTable label="Tools table" minWidth={640}>
          <Table striped highlightOnHover verticalSpacing="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Name</Table.Th>
                <Table.Th scope="col">Title</Table.Th>
                <Table.Th scope="col">Version</Table.Th>
                <Table.Th scope="col">Operations</Table.Th>
                <Table.Th scope="col">Source</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {tools.data.map((tool) => (
                <Table.Tr key={tool.name}>
                  <Table.Td>
                    <Anchor component={Link} to={`/tools/${encodeURIComponent(tool.name)}`} fw={600}>
                      {tool.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{tool.title}</Table.Td>
                  <Table.Td>v{tool.version}</Table.Td>
                  <Table.Td>{tool.operations.length}</Table.Td>
                  <Table.Td>
                    {tool.source.kind === 'url' ? (
                      <Text size="sm" style={{ overflowWrap: 'anywhere' }}>{tool.source.url}</Text>
                    ) : (
                      <Badge variant="default" tt="none">inline document</Badge>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
      {mayManage && <RegisterToolModal opened={registering} onClose={close} />}
    </>
  );
}
