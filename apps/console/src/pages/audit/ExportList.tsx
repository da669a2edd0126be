import { Stack, Title } from '@mantine/core';
import { Empty, Failed, Loading } from '../registries/Loading';
import { ExportCard } from './ExportCard';
import type { AuditExport, ExportRequest } from './queries';
import type { UseQueryResult } from '@tanstack/react-query';

/** A request the service has not recorded yet, shown as requested so the person sees it took. */
export interface JustRequested {
  readonly exportId: string;
  readonly request: ExportRequest;
}

const placeholder = ({ exportId, request }: JustRequested, tenantId: string, me: string | undefined): AuditExport => ({
  exportId,
  tenantId,
  status: 'requested',
  request,
  requestedAt: new Date().toISOString(),
  requestedBy: me ?? 'you',
  progress: { written: 0, total: null },
  checkpoint: null,
  events: null,
  bytes: null,
  sha256: null,
  completedAt: null,
  expiresAt: null,
  error: null,
  verification: null,
});

/** The exports, newest first, each with its live progress; a request just made heads the list until the service records it. */
export function ExportList({ exports, justRequested, tenantId, me }: { exports: UseQueryResult<AuditExport[]>; justRequested: readonly JustRequested[]; tenantId: string; me?: string }) {
  const body = (() => {
    if (exports.isPending) return <Loading what="the exports" />;
    if (exports.isError) return <Failed what="the exports" error={exports.error} retry={() => void exports.refetch()} />;
    const known = new Set(exports.data.map((item) => item.exportId));
    const pending = justRequested.filter(({ exportId }) => !known.has(exportId));
    if (exports.data.length === 0 && pending.length === 0) {
      return (
        <Empty title="No exports yet">
          Request one above: it takes a few seconds for a few thousand events. You can download it here, and check it on any machine with the command on this page.
        </Empty>
      );
    }
    return (
      <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }} aria-live="polite" aria-relevant="additions">
        {pending.map((requested) => <ExportCard key={requested.exportId} item={placeholder(requested, tenantId, me)} pending me={me} />)}
        {exports.data.map((item) => <ExportCard key={item.exportId} item={item} me={me} />)}
      </Stack>
    );
  })();
  return (
    <Stack gap="sm" component="section" aria-labelledby="audit-exports">
      <Title order={2} size="h4" id="audit-exports">Exports</Title>
      {body}
    </Stack>
  );
}
