import { Group, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Empty, Failed, Loading } from '../registries/Loading';
import { formatInstant } from '../registries/time';
import { PolicyDiff } from './PolicyDiff';
import { usePolicyVersions, type PolicyVersionSummary } from './queries';
import { ScrollTable } from '../registries/ScrollTable';

const who = ({ setBy }: PolicyVersionSummary) => (setBy.kind === 'user' ? setBy.id : `${setBy.kind} ${setBy.id}`);

/** Every version with when and by whom it was set, and the difference between any two of them. */
export function PolicyHistory({ latest }: { latest: number }) {
  const versions = usePolicyVersions();
  // The history is read again whenever the policy in effect moves on.
  const stale = versions.data !== undefined && (versions.data[0]?.version ?? 0) < latest;
  return (
    <section aria-labelledby="policy-history">
      <Title order={2} size="h3" id="policy-history" mb="sm">History</Title>
      {versions.isPending || stale ? (
        <Loading what="the versions" />
      ) : versions.isError ? (
        <Failed what="the versions" error={versions.error} retry={() => void versions.refetch()} />
      ) : versions.data.length === 0 ? (
        <Empty title="No versions yet">Nobody has set a policy for your tenant: every call is allowed.</Empty>
      ) : (
        <Stack gap="lg">
          <ScrollTable label="Versions table" minWidth={480} maxHeight={320}>
            <Table verticalSpacing="xs" aria-label="Versions" stickyHeader>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Version</Table.Th>
                  <Table.Th scope="col">Set</Table.Th>
                  <Table.Th scope="col">By</Table.Th>
                  <Table.Th scope="col">Rules</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {versions.data.map((version) => (
                  <Table.Tr key={version.version}>
                    <Table.Td>v{version.version}{version.version === latest && <Text span size="xs" c="dimmed"> (in effect)</Text>}</Table.Td>
                    <Table.Td>{formatInstant(version.updatedAt)}</Table.Td>
                    <Table.Td style={{ overflowWrap: 'anywhere' }}>{who(version)}</Table.Td>
                    <Table.Td>{version.rules}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollTable>
          {/* Keyed by the newest version: a new one resets the comparison to it and the one before. */}
          <Compare key={versions.data[0]?.version} versions={versions.data.map(({ version }) => version)} />
        </Stack>
      )}
    </section>
  );
}

function Compare({ versions }: { versions: readonly number[] }) {
  const [newest, previous] = versions;
  const [from, setFrom] = useState<number | undefined>(previous);
  const [to, setTo] = useState<number | undefined>(newest);
  if (previous === undefined) return <Text size="sm" c="dimmed">Only one version so far: nothing to compare yet.</Text>;
  const data = versions.map((version) => ({ value: String(version), label: `v${version}` }));
  return (
    <Stack gap="sm">
      <Title order={3} size="h4">Compare versions</Title>
      <Group gap="sm" align="flex-end" wrap="wrap">
        <Select label="From" data={data} value={from === undefined ? null : String(from)} onChange={(value) => setFrom(value === null ? undefined : Number(value))} w={120} allowDeselect={false} />
        <Select label="To" data={data} value={to === undefined ? null : String(to)} onChange={(value) => setTo(value === null ? undefined : Number(value))} w={120} allowDeselect={false} />
      </Group>
      {from !== undefined && to !== undefined && <PolicyDiff from={from} to={to} />}
    </Stack>
  );
}
