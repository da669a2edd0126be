import { Anchor, Badge, Button, Card, Grid, Group, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQueries } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { useClient } from '../../auth/credentials';
import { PageTitle } from '../../shell/Shell';
import { Failed, Loading } from '../registries/Loading';
import { useMayManageRegistries } from '../registries/permissions';
import { formatInstant } from '../registries/time';
import { VersionHistory } from '../registries/VersionHistory';
import { recentVersions, useVersionParam } from '../registries/versions';
import { AgentFormModal } from './AgentFormModal';
import { useAgent, type Agent } from './queries';

export function AgentDetail({ name }: { name: string }) {
  const version = useVersionParam();
  const agent = useAgent(name, version);
  const latest = useAgent(name);
  const mayManage = useMayManageRegistries();
  const [editing, { open, close }] = useDisclosure(false);
  const isLatest = agent.data !== undefined && latest.data !== undefined && agent.data.version === latest.data.version;
  return (
    <>
      <Anchor component={Link} to="/agents" size="sm">← Agents</Anchor>
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <PageTitle>{name}</PageTitle>
        {mayManage && latest.data && <Button onClick={open}>Edit</Button>}
      </Group>
      {agent.isPending ? (
        <Loading what={`agent ${name}`} />
      ) : agent.isError ? (
        <Failed what={`agent ${name}`} error={agent.error} retry={() => void agent.refetch()} />
      ) : (
        <Grid gap="lg">
          <Grid.Col span={{ base: 12, md: 8 }}>
            <Definition agent={agent.data} isLatest={isLatest} />
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 4 }}>
            {latest.data && <AgentVersions name={name} shown={agent.data.version} latest={latest.data.version} />}
          </Grid.Col>
        </Grid>
      )}
      {mayManage && latest.data && <AgentFormModal opened={editing} onClose={close} agent={latest.data} />}
    </>
  );
}

const none = (what: string) => <Text span size="sm" c="dimmed">{what}</Text>;
const names = (list: readonly string[], empty: string) => (list.length === 0 ? none(empty) : <Group gap={4}>{list.map((item) => <Badge key={item} variant="default" tt="none">{item}</Badge>)}</Group>);

function Definition({ agent, isLatest }: { agent: Agent; isLatest: boolean }) {
  const facts: [string, ReactNode][] = [
    ['Description', agent.description ?? none('none')],
    ['Model', agent.model ?? none("the runtime's configured model")],
    ['Tools', names(agent.tools, 'none')],
    ['Hands off to', names(agent.handoffs, 'nobody')],
    [
      'Guardrails',
      agent.guardrails.length === 0 ? none('none') : (
        <Stack gap={2}>
          {agent.guardrails.map((guardrail, index) => (
            <Text key={index} size="sm">{guardrail.type === 'blocked_terms' ? `Blocks on ${guardrail.on}: ${guardrail.terms.join(', ')}` : `Output at most ${guardrail.limit} characters`}</Text>
          ))}
        </Stack>
      ),
    ],
  ];
  return (
    <Card withBorder padding="md">
      <Group justify="space-between" mb="sm" wrap="wrap">
        <Title order={2} size="h4">Definition</Title>
        <Group gap="xs">
          <Badge variant="default" tt="none">v{agent.version}</Badge>
          {!isLatest && <Badge variant="dot" color="orange" tt="none">an earlier version</Badge>}
          <Text size="sm" c="dimmed">defined {formatInstant(agent.definedAt)}</Text>
        </Group>
      </Group>
      <Stack gap="sm" component="dl" m={0}>
        {facts.map(([term, value]) => (
          <div key={term}>
            <Text component="dt" size="xs" c="dimmed" fw={600} tt="uppercase">{term}</Text>
            <Text component="dd" size="sm" m={0}>{value}</Text>
          </div>
        ))}
        <div>
          <Text component="dt" size="xs" c="dimmed" fw={600} tt="uppercase">Instructions</Text>
          <Text component="dd" size="sm" m={0} style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{agent.instructions}</Text>
        </div>
      </Stack>
    </Card>
  );
}

/** Each version a link, with when it was defined (read version by version: GET /v1/agents/{name}?version=). */
function AgentVersions({ name, shown, latest }: { name: string; shown: number; latest: number }) {
  const client = useClient();
  const numbers = recentVersions(latest);
  const versions = useQueries({
    queries: numbers.map((version) => ({
      queryKey: ['agents', name, version],
      queryFn: async () => (await client.raw.GET('/v1/agents/{name}', { params: { path: { name }, query: { version } } })).data!,
      staleTime: Infinity,
    })),
  });
  return (
    <Card withBorder padding="md">
      <Title order={2} size="h4" mb="xs">Versions</Title>
      <VersionHistory
        versions={numbers.map((version, index) => ({ version, at: versions[index]?.data?.definedAt }))}
        shown={shown}
        latest={latest}
        hrefOf={(version) => `/agents/${encodeURIComponent(name)}${version === latest ? '' : `?version=${version}`}`}
      />
    </Card>
  );
}
