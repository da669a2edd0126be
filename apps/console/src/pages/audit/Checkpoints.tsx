import { Card, Code, Stack, Text, Title } from '@mantine/core';
import { Failed, Loading } from '../registries/Loading';
import { formatInstant } from '../registries/time';
import { shortHash } from './format';
import { useAuditCheckpoints } from './queries';

const reasons: Record<string, string> = { interval: 'on schedule', requested: 'on request', export: 'for an export' };

/** The latest signed checkpoints: each says "the first N events hash to this root", signed. */
export function Checkpoints() {
  const checkpoints = useAuditCheckpoints(3);
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="audit-checkpoints">
      <Title order={2} size="h4" id="audit-checkpoints" mb={4}>Latest checkpoints</Title>
      {checkpoints.isPending ? (
        <Loading what="the checkpoints" />
      ) : checkpoints.isError ? (
        <Failed what="the checkpoints" error={checkpoints.error} retry={() => void checkpoints.refetch()} />
      ) : checkpoints.data.length === 0 ? (
        <Text size="sm" c="dimmed">None signed yet. One is signed on schedule and for every export.</Text>
      ) : (
        <Stack component="ul" gap="xs" p={0} m={0} style={{ listStyle: 'none' }}>
          {checkpoints.data.map((checkpoint) => (
            <li key={`${checkpoint.treeSize}-${checkpoint.signedAt}`}>
              <Text size="sm">
                <b>{checkpoint.treeSize.toLocaleString()}</b> events, {formatInstant(checkpoint.signedAt)} {reasons[checkpoint.reason] ?? checkpoint.reason}
              </Text>
              <Text size="xs" c="dimmed">
                root <Code title={checkpoint.rootHash}>{shortHash(checkpoint.rootHash)}</Code> · key <Code>{checkpoint.keyId}</Code>
              </Text>
            </li>
          ))}
        </Stack>
      )}
    </Card>
  );
}
