import { randomUUID } from 'node:crypto';
import { operationStream, platformOperationTenantId, replayCommandMessageSchema, type OperationScopeRecord, type ReplayCommand, type TopicNames } from '@agent-orchestrator/contracts';
import type { MessageSender } from '@agent-orchestrator/messaging';
import { withTenant } from '@agent-orchestrator/postgres';
import type { OperationQueries, OperationRecord, SqlReader } from '@agent-orchestrator/read-models';
import type pg from 'pg';
import { pollFor, sendCommand } from '../commands.js';
import { GatewayError } from '../errors.js';
import { platformOnlyKinds, type PlanOperationBody } from './operation-schemas.js';

export interface OperationsBackend {
  readonly queries: OperationQueries;
  /** The owner's pool: the platform admin reads every operation. */
  readonly pool: pg.Pool;
  /** The application role's pool: a tenant reads its own operations, under row-level security. */
  readonly tenantPool: pg.Pool;
  readonly producer: MessageSender;
  readonly topics: TopicNames;
  /** How long a request waits for the replay service before answering anyway (5 s). */
  readonly confirmMs?: number;
}

/** Who calls: a tenant's operator or admin (its own tenant's operations), or the platform admin (every one). */
export type OperationCaller = { readonly kind: 'tenant'; readonly tenantId: string; readonly subject: string } | { readonly kind: 'platform'; readonly subject: string };

export type OperationAction = 'confirm' | 'pause' | 'resume' | 'abort';

const commandOf = { confirm: 'ConfirmOperation', pause: 'PauseOperation', resume: 'ResumeOperation', abort: 'AbortOperation' } as const;
/** The statuses an action applies in, and the one it leads to (for waiting on it). */
const transitions: Record<OperationAction, { from: readonly OperationRecord['status'][]; to: OperationRecord['status'] }> = {
  confirm: { from: ['planned'], to: 'running' },
  pause: { from: ['running', 'paused'], to: 'paused' },
  resume: { from: ['paused', 'running'], to: 'running' },
  abort: { from: ['planned', 'running', 'paused', 'aborted'], to: 'aborted' },
};

/**
 * The operations routes' work. Reads go through the read model as the caller: a tenant's pool
 * under its tenant (another tenant's operation is simply not there: 404), the owner's for the
 * platform admin. Requests become commands for the replay service on `commands.replay`, keyed by
 * the operation's stream; the rules the service enforces are checked here first, so a caller hears
 * them as a 409 with the reason rather than never.
 */
export class Operations {
  constructor(private readonly backend: OperationsBackend) {}

  async plan(caller: OperationCaller, body: PlanOperationBody): Promise<{ planned: OperationRecord } | { accepted: { operationId: string } }> {
    if (caller.kind === 'tenant' && platformOnlyKinds.has(body.kind)) throw new GatewayError('Forbidden', `A ${body.kind} acts on every tenant's rows: only the platform admin's key may run one.`);
    if (caller.kind === 'tenant' && body.filter.tenant !== undefined && body.filter.tenant !== caller.tenantId) {
      throw new GatewayError('InvalidBody', "filter.tenant is the platform admin's: your key acts on your own tenant's items only. Leave it out.", [{ pointer: '#/filter/tenant', detail: 'only the platform admin names a tenant' }]);
    }
    const operationId = randomUUID();
    const scope: OperationScopeRecord = caller.kind === 'tenant' ? { kind: 'tenant', tenantId: caller.tenantId } : { kind: 'platform' };
    const { tenant: _named, ...filter } = body.filter;
    const planFilter = caller.kind === 'platform' ? body.filter : filter;
    await this.send(caller, { type: 'PlanOperation', operationId, kind: body.kind, filter: planFilter, scope, ...(body.rate === undefined ? {} : { rate: body.rate }), ...(body.reason === undefined ? {} : { reason: body.reason }) } as DistributiveOmit<ReplayCommand, 'metadata'>);
    // Answered with the dry run once the replay service has recorded it; a long match gets a 202.
    const found = await pollFor(() => this.find(caller, operationId), this.backend.confirmMs ?? 5000);
    if (found === undefined) return { accepted: { operationId } };
    if (found.status === 'failed') throw new GatewayError('Conflict', `Operation ${operationId} was not planned: ${found.refusal ?? 'the replay service refused it'}`);
    return { planned: found };
  }

  list(caller: OperationCaller, page: { limit: number; cursor?: string }) {
    return this.read(caller, (db) => this.backend.queries.list(db, page)).then(({ operations, nextCursor }) => ({ items: operations, nextCursor }));
  }

  async get(caller: OperationCaller, operationId: string): Promise<OperationRecord> {
    const found = await this.find(caller, operationId);
    if (!found) throw new GatewayError('NotFound', `There is no operation ${operationId}${caller.kind === 'tenant' ? ' in your tenant' : ''}. GET /v1/operations lists them.`);
    return found;
  }

  async items(caller: OperationCaller, operationId: string, page: { limit: number; cursor?: string }) {
    await this.get(caller, operationId);
    return this.read(caller, (db) => this.backend.queries.items(db, operationId, page));
  }

  /** Confirm, pause, resume or abort; answers with the operation once the replay service has acted (or as it stands after the wait). */
  async act(caller: OperationCaller, operationId: string, action: OperationAction, reason?: string): Promise<OperationRecord> {
    const current = await this.get(caller, operationId);
    const { from, to } = transitions[action];
    if (action === 'confirm' && current.status === 'planned' && current.total === 0) {
      throw new GatewayError('Conflict', `Operation ${operationId} matched nothing, so there is nothing to confirm: plan again with another filter.`);
    }
    if (!from.includes(current.status)) throw new GatewayError('Conflict', `Operation ${operationId} is ${current.status}: ${action} applies only when it is ${from.filter((status) => status !== to).join(' or ')}.`);
    if (current.status === to) return current;
    const scope: OperationScopeRecord = caller.kind === 'tenant' ? { kind: 'tenant', tenantId: caller.tenantId } : { kind: 'platform' };
    await this.send(caller, { type: commandOf[action], operationId, scope, ...(action === 'abort' && reason !== undefined ? { reason } : {}) } as DistributiveOmit<ReplayCommand, 'metadata'>);
    const moved = await pollFor(async () => {
      const now = await this.find(caller, operationId);
      return now !== undefined && (now.status === to || (action === 'confirm' && now.status !== 'planned')) ? now : undefined;
    }, this.backend.confirmMs ?? 5000);
    return moved ?? current;
  }

  private find(caller: OperationCaller, operationId: string): Promise<OperationRecord | undefined> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(operationId)) return Promise.resolve(undefined);
    return this.read(caller, (db) => this.backend.queries.get(db, operationId));
  }

  private read<T>(caller: OperationCaller, work: (db: SqlReader) => Promise<T>): Promise<T> {
    return caller.kind === 'platform' ? work(this.backend.pool) : withTenant(this.backend.tenantPool, caller.tenantId, (client) => work(client));
  }

  /** Sends one command, checked against the contract first: a message the replay service would refuse is the gateway's bug. */
  private async send(caller: OperationCaller, command: DistributiveOmit<ReplayCommand, 'metadata'>): Promise<void> {
    const commandId = randomUUID();
    const stream = operationStream(command.operationId);
    const metadata = { tenantId: caller.kind === 'tenant' ? caller.tenantId : platformOperationTenantId, correlationId: stream, causationId: commandId, actor: { kind: 'user' as const, id: caller.subject }, traceparent: null, now: new Date().toISOString(), eventIds: [] };
    const message = replayCommandMessageSchema.parse({ commandId, command: { ...command, metadata } });
    await sendCommand(this.backend.producer, this.backend.topics.commands('replay'), stream, message);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
