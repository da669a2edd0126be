import { Button, Card, Code, CopyButton, Group, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { Failed, Loading } from '../registries/Loading';
import { ToneBadge } from '../sessions/StatusBadge';
import { shortHash, verifyCommand } from './format';
import type { AuditKeys } from './queries';
import type { UseQueryResult } from '@tanstack/react-query';

const day = (iso: string) => new Date(iso).toLocaleDateString();

function CopyText({ value, what }: { value: string; what: string }) {
  return (
    <CopyButton value={value}>
      {({ copied, copy }) => (
        <Button variant="light" size="xs" onClick={copy} aria-label={copied ? `Copied ${what}` : `Copy ${what}`} style={{ flex: 'none' }}>
          {copied ? 'Copied' : 'Copy'}
        </Button>
      )}
    </CopyButton>
  );
}

/** The command as a person reads it: the option never split from its name, the long fingerprint free to wrap. */
function Command({ filename, fingerprint }: { filename: string; fingerprint: string | undefined }) {
  return (
    <Code block style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', flex: 1, minWidth: 0 }} data-testid="verify-command" tabIndex={0} aria-label="The command to verify a bundle">
      npx ao audit verify {filename} <span style={{ whiteSpace: 'nowrap' }}>--trusted-key</span> {fingerprint ?? '<fingerprint>'}
    </Code>
  );
}

/**
 * What an auditor needs to check a bundle without trusting the platform: the command, with the
 * fingerprint of the key to pin, and every key with the period it signed in (a rotated key stays
 * trusted because the key before it endorsed it).
 */
export function VerifyOffline({ keys, filename }: { keys: UseQueryResult<AuditKeys>; filename: string }) {
  const current = keys.data?.items.find((key) => key.keyId === keys.data?.currentKeyId);
  const command = verifyCommand(filename, current?.fingerprint);
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="audit-verify">
      <Title order={2} size="h4" id="audit-verify" mb={4}>Verify offline</Title>
      <Text size="sm" c="dimmed" mb="sm">
        On any machine with Node, run this next to the downloaded file. It needs no database and no network, and exits 0 only if nothing was altered, removed, inserted or left out.
      </Text>
      <Group gap="xs" wrap="nowrap" align="flex-start">
        <Command filename={filename} fingerprint={current?.fingerprint} />
        <CopyText value={command} what="the command" />
      </Group>
      <Title order={3} size="h5" mt="md" mb="xs">Signing keys</Title>
      {keys.isPending ? (
        <Loading what="the keys" />
      ) : keys.isError ? (
        <Failed what="the keys" error={keys.error} retry={() => void keys.refetch()} />
      ) : keys.data.items.length === 0 ? (
        <Text size="sm" c="dimmed">No key yet: the first checkpoint creates one.</Text>
      ) : (
        <Stack gap="xs">
          <Table.ScrollContainer minWidth={0}>
            <Table verticalSpacing={6} fz="sm" captionSide="top">
              <Table.Caption style={{ textAlign: 'start' }}>Pin the current key's fingerprint; the verifier follows endorsements to the keys after it.</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Key</Table.Th>
                  <Table.Th scope="col">Signed</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {[...keys.data.items].reverse().map((key) => (
                  <Table.Tr key={key.keyId}>
                    <Table.Td>
                      <Group gap={6}>
                        <Text span ff="monospace" size="sm">{key.keyId}</Text>
                        {key.keyId === keys.data.currentKeyId && <ToneBadge color="green" size="xs">current</ToneBadge>}
                      </Group>
                      <Text size="xs" c="dimmed" ff="monospace" title={key.fingerprint}>
                        <VisuallyHidden>Fingerprint </VisuallyHidden>
                        {shortHash(key.fingerprint)}
                      </Text>
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      {day(key.validFrom)} – {key.validUntil ? day(key.validUntil) : 'now'}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {current && (
            <Group gap="xs" wrap="nowrap">
              <Text size="sm">Current fingerprint</Text>
              <CopyText value={current.fingerprint} what="the fingerprint" />
            </Group>
          )}
        </Stack>
      )}
    </Card>
  );
}
