import { Alert, Button, Card, Code, Group, List, Progress, Stack, Text } from '@mantine/core';
import { explain } from '../../shell/explain';
import { readableAlert } from '../approvals/alert-styles';
import { ToneBadge } from '../sessions/StatusBadge';
import { formatInstant } from '../registries/time';
import { describeRange, exportStatusColors, exportStatusLabels, formatBytes, progressOf, sentence, shortHash } from './format';
import { useDownloadBundle, type AuditExport } from './queries';

const when = formatInstant;

function ProgressLine({ item }: { item: AuditExport }) {
  const percent = progressOf(item);
  const { written, total } = item.progress;
  const words = total === null ? `${written.toLocaleString()} events written, counting the rest…` : `${written.toLocaleString()} of ${total.toLocaleString()} events written`;
  return (
    <Stack gap={4}>
      <Progress value={percent ?? 100} animated striped={percent === undefined} aria-label={`Export progress: ${words}`} {...(percent === undefined ? {} : { 'aria-valuenow': percent })} />
      <Text size="sm" c="dimmed" data-testid="export-progress">{words}</Text>
    </Stack>
  );
}

function Verification({ verification }: { verification: NonNullable<AuditExport['verification']> }) {
  if (verification.ok) {
    return (
      <Alert color="green" title="Verified by the platform" data-testid="export-verification" styles={readableAlert}>
        {sentence(verification.summary)}
      </Alert>
    );
  }
  return (
    <Alert color="red" title={`The platform's check found ${verification.findings.length} problem${verification.findings.length === 1 ? '' : 's'}`} data-testid="export-verification" styles={readableAlert}>
      <Stack gap="xs">
        <Text size="sm">{sentence(verification.summary)} Do not hand this bundle on; tell the platform's operators, and keep the file as evidence.</Text>
        <List size="sm" spacing={2}>
          {verification.findings.map((finding, index) => (
            <List.Item key={index}>
              <Text span fw={600} size="sm">{finding.kind}</Text>: {finding.message}
              {finding.streamId && <Text span size="sm" c="dimmed"> ({finding.streamId}{finding.streamVersion === undefined ? '' : ` v${finding.streamVersion}`}{finding.position === undefined ? '' : `, position ${finding.position}`})</Text>}
            </List.Item>
          ))}
        </List>
      </Stack>
    </Alert>
  );
}

/** One export: what it covers, where it stands, what it proves against, and its file once ready. */
export function ExportCard({ item, pending = false, me }: { item: AuditExport; pending?: boolean; me?: string }) {
  // The service names the requester as the command's actor: the caller's subject, or its key id alone.
  const byMe = me !== undefined && (item.requestedBy === me || `key:${item.requestedBy}` === me);
  const download = useDownloadBundle();
  const titleId = `export-${item.exportId}`;
  return (
    <Card withBorder padding="md" component="li" aria-labelledby={titleId} data-export-id={item.exportId} data-status={item.status}>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" wrap="nowrap" gap="sm">
          <Stack gap={2} miw={0}>
            <Text fw={600} id={titleId} style={{ overflowWrap: 'anywhere' }}>{describeRange(item.request)}</Text>
            <Text size="xs" c="dimmed">
              Requested {when(item.requestedAt)} by {byMe ? 'you' : item.requestedBy}
            </Text>
          </Stack>
          <ToneBadge color={exportStatusColors[item.status]} data-testid="export-status">{exportStatusLabels[item.status]}</ToneBadge>
        </Group>
        {(item.status === 'running' || item.status === 'requested') && (pending ? <Text size="sm" c="dimmed">Waiting for the audit service to pick it up…</Text> : <ProgressLine item={item} />)}
        {item.status === 'failed' && (
          <Alert color="red" title="This export failed" role="alert" styles={readableAlert}>
            {sentence(item.error ?? 'no reason was recorded')} Request it again; if it fails again, tell the platform's operators, quoting export {item.exportId}.
          </Alert>
        )}
        {item.status === 'expired' && <Text size="sm" c="dimmed">Its file was deleted when the retention period ended{item.expiresAt ? ` (${when(item.expiresAt)})` : ''}. Request the same range again for a new one.</Text>}
        {item.request.previousExportId && <Text size="sm">Proves that the log only grew since export <Code title={item.request.previousExportId}>{item.request.previousExportId.slice(0, 8)}</Code></Text>}
        {item.checkpoint && (
          <Text size="sm" data-testid="export-checkpoint">
            Proves against the checkpoint of <b>{item.checkpoint.treeSize.toLocaleString()}</b> events signed {when(item.checkpoint.signedAt)} by key <Code>{item.checkpoint.keyId}</Code>, root <Code title={item.checkpoint.rootHash}>{shortHash(item.checkpoint.rootHash)}</Code>
          </Text>
        )}
        {item.verification && <Verification verification={item.verification} />}
        {item.status === 'completed' && !item.verification && (
          <Text size="sm" c="dimmed" role="status">The platform is checking the bundle with the offline verifier…</Text>
        )}
        {item.status === 'completed' && (
          <Group justify="space-between" align="center" gap="sm">
            <Text size="sm" c="dimmed">
              {item.events === null ? '' : `${item.events.toLocaleString()} events`}
              {item.bytes === null ? '' : ` · ${formatBytes(item.bytes)}`}
              {item.expiresAt ? ` · kept until ${new Date(item.expiresAt).toLocaleDateString()}` : ''}
            </Text>
            <Button variant="light" onClick={() => download.mutate(item)} loading={download.isPending} aria-label={`Download the bundle of ${describeRange(item.request)}, requested ${when(item.requestedAt)}`}>
              Download
            </Button>
          </Group>
        )}
        {download.isError && (
          <Alert color="red" role="alert" title="The download failed" styles={readableAlert}>
            {explain(download.error)}
          </Alert>
        )}
        {item.sha256 && (
          <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
            SHA-256 of the file: <Code>{item.sha256}</Code>
          </Text>
        )}
      </Stack>
    </Card>
  );
}
