import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useClient } from '../../auth/credentials';
import type { ItemOutcome, OperationKind, OperationStatus } from './format';
import { hasEnded } from './format';
import { queryOf, replayRoutes, segment } from './replay-api';

export interface OperationFilter {
  readonly ids?: readonly string[];
  readonly consumer?: string;
  readonly code?: string;
  readonly tool?: string;
  readonly tenant?: string;
  readonly since?: string;
  readonly until?: string;
  readonly status?: string;
  readonly projection?: string;
}

/** GET /v1/operations/:id: the dry run's counts while planned, the progress once confirmed. */
export interface Operation {
  readonly operationId: string;
  readonly kind: OperationKind;
  readonly filter: OperationFilter;
  readonly status: OperationStatus;
  readonly total: number;
  readonly done: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly skipped: number;
  readonly etaSeconds: number | null;
  readonly counts: { readonly byConsumer: Readonly<Record<string, number>>; readonly byCode: Readonly<Record<string, number>>; readonly byTool: Readonly<Record<string, number>>; readonly byTenant: Readonly<Record<string, number>> };
  /** How many of the items repeat a side effect when acted on. */
  readonly repeatsSideEffect: number;
  readonly requestedBy: { readonly kind: string; readonly id: string };
  readonly requestedAt: string;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly rate?: number | null;
  /** The operator's reason (a discard's is required). */
  readonly reason?: string | null;
  /** Why the plan was refused (status failed): too many items, say. */
  readonly refusal?: string | null;
  readonly abortReason?: string | null;
}

export interface OperationItem {
  readonly itemId: string;
  readonly source: string;
  readonly tenantId: string | null;
  readonly consumer?: string;
  readonly code?: string;
  readonly tool?: string;
  readonly sessionId?: string;
  readonly repeatsSideEffect: boolean;
  readonly label: string;
  /** Absent or null until the item was acted on. */
  readonly outcome?: ItemOutcome | null;
  readonly detail?: string | Readonly<Record<string, unknown>> | null;
}

interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string | null;
}

export interface PlanRequest {
  readonly kind: OperationKind;
  readonly filter: OperationFilter;
  readonly rate?: number;
  readonly reason?: string;
}

/** While an operation moves, its page looks again this often, so progress moves on screen. */
export const progressPollMs = 1000;
const idlePollMs = 15_000;

export function useOperations() {
  const client = useClient();
  return useInfiniteQuery({
    queryKey: ['operations', 'list'],
    queryFn: async ({ pageParam }) => (await replayRoutes(client).GET('/v1/operations', { params: { query: queryOf({ limit: 25, cursor: pageParam }) } })).data as Page<Operation>,
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    refetchInterval: (query) => (query.state.data?.pages[0]?.items.some((operation) => operation.status === 'running') ? progressPollMs * 3 : idlePollMs),
  });
}

export function useOperation(operationId: string) {
  const client = useClient();
  return useQuery({
    queryKey: ['operations', operationId],
    queryFn: async () => (await replayRoutes(client).GET(`/v1/operations/${segment(operationId)}`)).data as Operation,
    refetchInterval: (query) => (query.state.data && (query.state.data.status === 'running' || query.state.data.status === 'paused') ? progressPollMs : hasEnded(query.state.data?.status ?? '') ? false : idlePollMs),
  });
}

/**
 * One page of the operation's items. Asked again whenever the operation's progress or status
 * moves (`progress`: its done count and status), so outcomes fill in as it runs and the last ones
 * are there once it ends; the page shown meanwhile is the previous answer.
 */
export function useOperationItems(operationId: string, cursor: string | undefined, limit: number, progress: string) {
  const client = useClient();
  return useQuery({
    queryKey: ['operations', operationId, 'items', cursor ?? '', limit, progress],
    queryFn: async () => (await replayRoutes(client).GET(`/v1/operations/${segment(operationId)}/items`, { params: { query: queryOf({ cursor, limit }) } })).data as Page<OperationItem>,
    placeholderData: (previous) => previous,
  });
}

/** Plans an operation: the answer names it (201 with the dry run, or 202 while a long plan is made). */
export function usePlanOperation() {
  const client = useClient();
  const queries = useQueryClient();
  return useMutation({
    mutationFn: async (request: PlanRequest) => ((await replayRoutes(client).POST('/v1/operations', { body: request })).data as { operationId: string }).operationId,
    onSuccess: () => void queries.invalidateQueries({ queryKey: ['operations', 'list'] }),
  });
}

export type OperationAction = 'confirm' | 'pause' | 'resume' | 'abort';

export function useOperationAction(operationId: string) {
  const client = useClient();
  const queries = useQueryClient();
  return useMutation({
    mutationFn: async (action: OperationAction) => (await replayRoutes(client).POST(`/v1/operations/${segment(operationId)}/${action}`, { body: {} })).data,
    onSettled: () => void queries.invalidateQueries({ queryKey: ['operations'] }),
  });
}
