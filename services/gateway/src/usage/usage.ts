import { randomUUID } from 'node:crypto';
import { pricesStream, type Actor, type ObservabilityCommandMessage, type PriceTable, type PriceVersion, type TopicNames } from '@agent-orchestrator/contracts';
import type { EventStore } from '@agent-orchestrator/event-store';
import type { MessageSender } from '@agent-orchestrator/messaging';
import type { Dashboard, DashboardQueries, UsageGrouping, UsageQueries, UsageReport, UsageScope } from '@agent-orchestrator/read-models';
import type { PlatformAdminPrincipal } from '../auth/platform-admin.js';
import type { ScopedCaller } from '../auth/scoped-caller.js';
import { sendAndConfirm } from '../commands.js';
import { GatewayError } from '../errors.js';

/** A tenant's caller (its own rows), or the platform admin (every tenant's, or the one it names). */
export type UsageCaller = ScopedCaller;

export interface UsageRequest {
  readonly from?: string;
  readonly to?: string;
  readonly groupBy: UsageGrouping;
  readonly tenant?: string;
  readonly limit: number;
}

export interface PriceHistoryEntry extends PriceVersion {
  readonly setAt: string;
  readonly setBy: Actor;
}

export interface UsageBackend {
  readonly queries: UsageQueries;
  readonly dashboard: DashboardQueries;
  /** The log and Kafka, for the prices routes. */
  readonly store: EventStore;
  readonly producer: MessageSender;
  readonly topics: TopicNames;
  readonly confirmMs?: number;
  readonly now?: () => Date;
}

const dayMs = 86_400_000;
/** The longest range one request sums: a year and a day, so a leap year's whole span fits. */
export const maxUsageRangeDays = 367;
const defaultRangeDays = 30;

/** A date alone is that day's UTC midnight. */
const instantOf = (text: string): Date => new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00.000Z` : text);

/**
 * Usage, the dashboard and the platform's prices as the API serves them. A tenant's caller reads
 * its own tenant's rows, in its tenant scope (row-level security); the platform admin reads every
 * tenant's, and may name one.
 */
export class Usage {
  constructor(private readonly backend: UsageBackend) {}

  private now(): Date {
    return this.backend.now?.() ?? new Date();
  }

  private scope(caller: UsageCaller, tenant: string | undefined): UsageScope {
    if (caller.kind === 'platform') return tenant === undefined ? { kind: 'platform' } : { kind: 'platform', tenantId: tenant };
    if (tenant !== undefined) throw new GatewayError('Forbidden', 'Only the platform admin chooses a tenant: a key of a tenant reads its own usage; leave "tenant" out.');
    return { kind: 'tenant', tenantId: caller.principal.tenantId };
  }

  async usage(caller: UsageCaller, request: UsageRequest): Promise<UsageReport & { readonly from: Date; readonly to: Date; readonly groupBy: UsageGrouping }> {
    const to = request.to === undefined ? this.now() : instantOf(request.to);
    const from = request.from === undefined ? new Date(to.getTime() - defaultRangeDays * dayMs) : instantOf(request.from);
    if (from.getTime() >= to.getTime()) throw new GatewayError('InvalidRequest', '"from" must be before "to".', [{ pointer: '#/from', detail: 'must be before to', in: 'query' }]);
    if (to.getTime() - from.getTime() > maxUsageRangeDays * dayMs) throw new GatewayError('InvalidRequest', `One request sums at most ${maxUsageRangeDays} days; ask for a shorter range.`, [{ pointer: '#/from', detail: `at most ${maxUsageRangeDays} days before to`, in: 'query' }]);
    const report = await this.backend.queries.usage(this.scope(caller, request.tenant), { from, to, groupBy: request.groupBy, limit: request.limit });
    return { from, to, groupBy: request.groupBy, ...report };
  }

  async dashboard(caller: UsageCaller, request: { readonly days: number; readonly tenant?: string }): Promise<Dashboard & { readonly generatedAt: Date; readonly days: number }> {
    const now = this.now();
    return { generatedAt: now, days: request.days, ...(await this.backend.dashboard.read(this.scope(caller, request.tenant), now, request.days)) };
  }

  /** Every version of the platform's prices, newest first, and the one in effect now. */
  async prices(): Promise<{ readonly inEffect: number | null; readonly items: readonly PriceHistoryEntry[] }> {
    const items: PriceHistoryEntry[] = [];
    for await (const event of this.backend.store.streamEvents(pricesStream)) {
      if (event.type !== 'ModelPricesSet') continue;
      items.push({ ...(event.data as PriceVersion), setAt: event.occurredAt, setBy: event.actor });
    }
    const now = this.now().getTime();
    const inEffect = items.filter((item) => Date.parse(item.effectiveFrom) <= now).sort((a, b) => Date.parse(b.effectiveFrom) - Date.parse(a.effectiveFrom) || b.version - a.version)[0];
    return { inEffect: inEffect?.version ?? null, items: items.reverse() };
  }

  /** A new version of the platform's prices, sent to the observability service; answers once it is in the log. */
  async setPrices(caller: PlatformAdminPrincipal, body: { readonly prices: PriceTable; readonly effectiveFrom?: string }): Promise<PriceHistoryEntry> {
    const commandId = randomUUID();
    const now = this.now().toISOString();
    const effectiveFrom = body.effectiveFrom === undefined ? now : new Date(body.effectiveFrom).toISOString();
    const message: ObservabilityCommandMessage = {
      commandId,
      command: {
        type: 'SetModelPrices',
        prices: body.prices,
        effectiveFrom,
        metadata: { tenantId: 'platform', correlationId: commandId, causationId: commandId, actor: { kind: 'user', id: `platform-admin:${caller.keyId}` }, traceparent: null, now, eventIds: [] },
      },
    };
    const landed = await sendAndConfirm(this.backend, {
      topic: this.backend.topics.commands('observability'),
      stream: pricesStream,
      message,
      notYet: 'The prices were sent but are not in the log yet (is the observability service running?). GET /v1/prices shortly to see whether they landed.',
    });
    return { ...(landed.data as PriceVersion), setAt: landed.occurredAt, setBy: landed.actor };
  }
}
