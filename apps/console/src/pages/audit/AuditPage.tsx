import { Grid, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useCaller } from '../../auth/caller';
import { PageTitle } from '../../shell/Shell';
import { Empty } from '../registries/Loading';
import { Checkpoints } from './Checkpoints';
import type { JustRequested } from './ExportList';
import { ExportList } from './ExportList';
import { RequestExport } from './RequestExport';
import { Retention } from './Retention';
import { VerifyOffline } from './VerifyOffline';
import { useAuditExports, useAuditKeys } from './queries';

/** Who may see the page: the gateway opens the audit routes to these roles. */
export const auditRoles = ['admin', 'auditor'] as const;

/**
 * The compliance officer's page: ask for a signed export of the audit trail, watch it being
 * written, download it, see the platform's own check of it, and the command (with the key to
 * pin) to check it again offline.
 */
export function AuditPage() {
  const caller = useCaller();
  const allowed = caller?.roles.some((role) => (auditRoles as readonly string[]).includes(role));
  if (caller && !allowed) {
    return (
      <>
        <PageTitle>Audit</PageTitle>
        <Empty title="The audit trail is for auditors and admins">Ask an admin for a key or a sign-in with the auditor role.</Empty>
      </>
    );
  }
  return <AuditTrail tenantId={caller?.tenantId ?? ''} isAdmin={caller?.roles.includes('admin') ?? false} me={caller?.subject} />;
}

function AuditTrail({ tenantId, isAdmin, me }: { tenantId: string; isAdmin: boolean; me: string | undefined }) {
  const exports = useAuditExports();
  const keys = useAuditKeys();
  const [justRequested, setJustRequested] = useState<JustRequested[]>([]);
  // What a new export may prove against: any that completed (an expired one's checkpoint still stands).
  const completed = (exports.data ?? []).filter((item) => item.status === 'completed' || item.status === 'expired');
  const newestReady = completed.find((item) => item.status === 'completed');
  const filename = newestReady ? `audit-${tenantId}-${newestReady.exportId}.ndjson` : '<bundle.ndjson>';
  return (
    <>
      <PageTitle>Audit</PageTitle>
      <Text c="dimmed" size="sm" mb="md" maw={760}>
        A tamper-evident record of everything your agents did, who approved what, and under which policy. Each export is signed and carries the proofs an auditor needs to check, offline, that nothing in it was changed, removed or left out.
      </Text>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <Stack gap="lg">
            <RequestExport completed={completed} onRequested={(exportId, request) => setJustRequested((earlier) => [{ exportId, request }, ...earlier])} />
            <ExportList exports={exports} justRequested={justRequested} tenantId={tenantId} me={me} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Stack gap="lg">
            <VerifyOffline keys={keys} filename={filename} />
            <Checkpoints />
            <Retention mayChange={isAdmin} />
          </Stack>
        </Grid.Col>
      </Grid>
    </>
  );
}
