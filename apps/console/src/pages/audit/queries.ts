import type { Answer, BodyOf } from '@agent-orchestrator/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useClient } from '../../auth/credentials';

export type AuditExport = Answer<'/v1/audit/exports', 'get'>['items'][number];
export type AuditKeys = Answer<'/v1/audit/keys', 'get'>;
export type AuditCheckpoint = Answer<'/v1/audit/checkpoints', 'get'>['items'][number];
export type ExportRequest = BodyOf<'/v1/audit/exports', 'post'>;

/** While an export is being written the list looks again this often, so its progress moves on screen. */
export const progressPollMs = 1500;
/** Otherwise: a retention sweep or an export someone else asked for shows within this. */
const idlePollMs = 30_000;

// A completed export is checked by the platform right after: its verdict is worth waiting for too.
const inFlight = (item: AuditExport) => item.status === 'requested' || item.status === 'running' || (item.status === 'completed' && item.verification === null);

/** The newest exports (one page; the console shows the recent ones, the API pages through all). */
export function useAuditExports() {
  const client = useClient();
  return useQuery({
    queryKey: ['audit', 'exports'],
    queryFn: async () => (await client.raw.GET('/v1/audit/exports', { params: { query: { limit: 50 } } })).data!.items,
    refetchInterval: (query) => (query.state.data?.some(inFlight) ? progressPollMs : idlePollMs),
  });
}

export function useAuditKeys() {
  const client = useClient();
  return useQuery({ queryKey: ['audit', 'keys'], queryFn: async () => (await client.raw.GET('/v1/audit/keys')).data!, refetchInterval: idlePollMs });
}

export function useAuditCheckpoints(limit = 5) {
  const client = useClient();
  return useQuery({ queryKey: ['audit', 'checkpoints', limit], queryFn: async () => (await client.raw.GET('/v1/audit/checkpoints', { params: { query: { limit } } })).data!.items, refetchInterval: idlePollMs });
}

/** `sentDays`: a change was sent, so look again until it reads back. */
export function useAuditRetention(sentDays?: number) {
  const client = useClient();
  return useQuery({
    queryKey: ['audit', 'retention'],
    queryFn: async () => (await client.raw.GET('/v1/audit/retention')).data!,
    refetchInterval: (query) => (sentDays !== undefined && query.state.data?.days !== sentDays ? progressPollMs : false),
  });
}

/**
 * Asks for an export. The audit service records it a moment after the 202, so until the list
 * has it the page shows it as requested (`pending`), and polls as for any export in flight.
 */
export function useRequestExport(onAccepted: (exportId: string, request: ExportRequest) => void) {
  const client = useClient();
  const queries = useQueryClient();
  return useMutation({
    mutationFn: async (body: ExportRequest) => (await client.raw.POST('/v1/audit/exports', { body })).data!,
    onSuccess: ({ exportId }, request) => {
      onAccepted(exportId, request);
      void queries.invalidateQueries({ queryKey: ['audit', 'exports'] });
    },
  });
}

/** Retention is recorded by the audit service: the page polls until it reads back the days it asked for. */
export function useSetRetention() {
  const client = useClient();
  return useMutation({ mutationFn: async (days: number) => (await client.raw.PUT('/v1/audit/retention', { body: { days } })).data! });
}

/**
 * Saves a bundle as the file the gateway names. The browser takes the gzip transfer encoding
 * off on the way, so what is saved is the signed NDJSON byte for byte.
 */
export function useDownloadBundle() {
  const client = useClient();
  return useMutation({
    mutationFn: async (item: AuditExport) => {
      const { data, response } = await client.raw.GET('/v1/audit/exports/{id}/bundle', { params: { path: { id: item.exportId } }, parseAs: 'blob' });
      const filename = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? `audit-${item.tenantId}-${item.exportId}.ndjson`;
      const url = URL.createObjectURL(data as Blob);
      const link = Object.assign(document.createElement('a'), { href: url, download: filename });
      document.body.append(link);
      link.click();
      link.remove();
      // The click has handed the blob to the download; revoking later frees it without racing it.
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      return filename;
    },
  });
}
