import type { operations } from '@agent-orchestrator/client';
import { CliError, exitCodes } from '../exit-codes.js';
import type { PlatformClient } from '../platform-client.js';

/** An operation and its items as the gateway answers them: the types generated from its OpenAPI document. */
export type OperationRecord = operations['getOperation']['responses'][200]['content']['application/json'];
export type OperationPlanRequest = NonNullable<operations['planOperation']['requestBody']>['content']['application/json'];
export type OperationItem = operations['listOperationItems']['responses'][200]['content']['application/json']['items'][number];
export type OperationAction = 'confirm' | 'pause' | 'resume' | 'abort';

const path = (operationId: string) => `/v1/operations/${encodeURIComponent(operationId)}`;

/** The operations routes, through the public API only. */
export class OperationClient {
  constructor(private readonly platform: PlatformClient) {}

  /** The dry run, or only the id when the platform is still matching (a 202). */
  async plan(body: OperationPlanRequest): Promise<OperationRecord | { operationId: string }> {
    const answer = (await this.platform.call('POST', '/v1/operations', body)) as { operationId?: unknown };
    if (typeof answer.operationId !== 'string') throw new CliError(`the platform planned the operation but named no operationId: ${JSON.stringify(answer).slice(0, 200)}`, exitCodes.platform);
    return answer as OperationRecord | { operationId: string };
  }

  get(operationId: string): Promise<OperationRecord> {
    return this.platform.call('GET', path(operationId)) as Promise<OperationRecord>;
  }

  async items(operationId: string, limit: number): Promise<OperationItem[]> {
    const answer = (await this.platform.call('GET', `${path(operationId)}/items?limit=${limit}`)) as { items?: OperationItem[] };
    return answer.items ?? [];
  }

  /** Every matched item, page by page: what a dry run printed as JSON lists. */
  async allItems(operationId: string): Promise<OperationItem[]> {
    const all: OperationItem[] = [];
    let cursor: string | null = null;
    do {
      const page = (await this.platform.call('GET', `${path(operationId)}/items?limit=500${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`)) as { items?: OperationItem[]; nextCursor?: string | null };
      all.push(...(page.items ?? []));
      cursor = page.nextCursor ?? null;
    } while (cursor !== null);
    return all;
  }

  async list(limit: number): Promise<OperationRecord[]> {
    const answer = (await this.platform.call('GET', `/v1/operations?limit=${limit}`)) as { items?: OperationRecord[] };
    if (!Array.isArray(answer.items)) throw new CliError(`the platform's list of operations is not { items: [...] }: ${JSON.stringify(answer).slice(0, 200)}`, exitCodes.platform);
    return answer.items;
  }

  act(operationId: string, action: OperationAction, reason?: string): Promise<OperationRecord> {
    return this.platform.call('POST', `${path(operationId)}/${action}`, action === 'abort' && reason !== undefined ? { reason } : undefined) as Promise<OperationRecord>;
  }
}

/** How an ended operation exits: 0 when every item succeeded or was skipped, 5 when some failed or it stopped short, 4 when nothing matched. */
export function exitCodeOf(record: OperationRecord): number {
  if (record.total === 0) return exitCodes.nothingMatched;
  if (record.status === 'completed' && record.failed === 0) return exitCodes.ok;
  return exitCodes.partialFailure;
}
