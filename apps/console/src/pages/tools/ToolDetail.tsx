import { Anchor, Badge, Card, Grid, Group, Stack, Text, Title } from '@mantine/core';
import { useQueries } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useClient } from '../../auth/credentials';
import { PageTitle } from '../../shell/Shell';
import { Failed, Loading } from '../registries/Loading';
import { formatInstant } from '../registries/time';
import { VersionHistory } from '../registries/VersionHistory';
import { recentVersions, useVersionParam } from '../registries/versions';
import { OperationList } from './OperationList';
import { SkippedOperations } from './SkippedOperations';
import { useTool, type Tool } from './queries';

export function ToolDetail({ name }: { name: string }) {
  const version = useVersionParam();
  const tool = useTool(name, version);
  const latest = useTool(name);
  return (
    <>
      <Anchor component={Link} to="/tools" size="sm">← Tools</Anchor>
      <PageTitle>{name}</PageTitle>
      {tool.isPending ? (
        <Loading what={`tool ${name}`} />
      ) : tool.isError ? (
        <Failed what={`tool ${name}`} error={tool.error} retry={() => void tool.refetch()} />
      ) : (
        <Grid gap="lg">
          <Grid.Col span={{ base: 12, md: 8 }} order={{ base: 2, md: 1 }}>
            <OperationList key={`${name}@${tool.data.version}`} operations={tool.data.operations} />
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 4 }} order={{ base: 1, md: 2 }}>
            <Stack gap="md">
              <About tool={tool.data} />
              <SkippedOperations skipped={tool.data.skipped ?? []} />
              {latest.data && <ToolVersions name={name} shown={tool.data.version} latest={latest.data.version} />}
            </Stack>
          </Grid.Col>
        </Grid>
      )}
    </>
  );
}

function documentOf(tool: Tool): string {
  if (tool.kind === 'mcp') return `MCP server, version ${tool.documentVersion}`;
  const converted = tool.convertedFrom === 'swagger-2.0' ? ' (converted from Swagger 2.0)' : '';
  return `OpenAPI ${tool.openapi}${converted}, version ${tool.documentVersion}`;
}

/** An include or exclude as a person would say it: "tags billing, paths under /orders". */
function selectionInWords(selection: NonNullable<Tool['include']>): string {
  const parts = [
    selection.tags?.length ? `tags ${selection.tags.join(', ')}` : undefined,
    selection.operationIds?.length ? `operations ${selection.operationIds.join(', ')}` : undefined,
    selection.pathPrefixes?.length ? `paths under ${selection.pathPrefixes.join(', ')}` : undefined,
  ];
  return parts.filter(Boolean).join('; ');
}

function About({ tool }: { tool: Tool }) {
  const facts: [string, React.ReactNode][] = [
    ['Title', tool.title],
    ['Version', `v${tool.version}, registered ${formatInstant(tool.registeredAt)}`],
    ['Document', documentOf(tool)],
    ['Source', tool.source.kind === 'inline' ? 'inline document' : tool.source.kind === 'mcp' ? `MCP server at ${tool.source.url}` : tool.source.url],
    ['Base URL', tool.baseUrl ?? 'none'],
    ['Scopes', tool.scopes.length > 0 ? tool.scopes.map((scope) => <Badge key={scope} variant="default" tt="none" mr={4}>{scope}</Badge>) : 'none'],
    ['Rate limit', tool.rateLimitPerMinute === undefined ? 'the platform default' : `${tool.rateLimitPerMinute} calls a minute`],
    ...(tool.include ? ([['Only', selectionInWords(tool.include)]] as [string, string][]) : []),
    ...(tool.exclude ? ([['Leaving out', selectionInWords(tool.exclude)]] as [string, string][]) : []),
  ];
  return (
    <Card withBorder padding="md">
      <Title order={2} size="h4" mb="xs">About</Title>
      {tool.description && <Text size="sm" mb="sm">{tool.description}</Text>}
      <Stack gap={6} component="dl" m={0}>
        {facts.map(([term, value]) => (
          <div key={term}>
            <Text component="dt" size="xs" c="dimmed" fw={600} tt="uppercase">{term}</Text>
            <Text component="dd" size="sm" m={0} style={{ overflowWrap: 'anywhere' }}>{value}</Text>
          </div>
        ))}
      </Stack>
    </Card>
  );
}

/** Each version a link; when each was registered, read version by version (GET /v1/tools/{name}?version=). */
function ToolVersions({ name, shown, latest }: { name: string; shown: number; latest: number }) {
  const client = useClient();
  const numbers = recentVersions(latest);
  const versions = useQueries({
    queries: numbers.map((version) => ({
      queryKey: ['tools', name, version],
      queryFn: async () => (await client.raw.GET('/v1/tools/{name}', { params: { path: { name }, query: { version } } })).data!,
      staleTime: Infinity,
    })),
  });
  return (
    <Card withBorder padding="md">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4">Versions</Title>
      </Group>
      <VersionHistory
        versions={numbers.map((version, index) => ({ version, at: versions[index]?.data?.registeredAt }))}
        shown={shown}
        latest={latest}
        hrefOf={(version) => `/tools/${encodeURIComponent(name)}${version === latest ? '' : `?version=${version}`}`}
      />
    </Card>
  );
}
