import { randomUUID } from 'node:crypto';
import { auditCommandMessageSchema, auditStream, minAuditRetentionDays, type AuditCommand, type AuditCommandMessage, type TopicNames } from '@agent-orchestrator/contracts';
import type { AuditExportRecord, AuditReadModel } from '@agent-orchestrator/audit-store';
import type { MessageSender } from '@agent-orchestrator/messaging';
import type { Principal } from '../auth/access.guard.js';
import { commandMetadata, pollFor, sendCommand } from '../commands.js';
import { GatewayError } from '../errors.js';
import type { ExportRequestBody } from './audit-schemas.js';

/** The audit trail's read side (written by the audit service) and Kafka to send it commands. */
export interface AuditBackend {
  readonly audit: AuditReadModel;
  readonly producer: MessageSender;
  readonly topics: TopicNames;
  /** How long a request waits for the audit service to record the export before answering anyway (5 s). */
  readonly confirmMs?: number;
}

const utc = (instant: string | undefined) => (instant === undefined ? undefined : new Date(instant).toISOString());

/**
 * The audit routes' work. Every read goes through the read model as the caller's tenant, so an
 * export of another tenant is simply not there (404, never 403). Requests become commands for the
 * audit service on `commands.audit`, keyed by the tenant's audit stream so they are handled in
 * order; the answer is a 202 because exports and signatures take their time.
 */
export class AuditTrail {
  constructor(private readonly backend: AuditBackend) {}

  async requestExport(caller: Principal, body: ExportRequestBody): Promise<{ exportId: string }> {
    if (body.previousExportId !== undefined) {
      const previous = await this.backend.audit.getExport(caller.tenantId, body.previousExportId);
      if (!previous) throw new GatewayError('NotFound', `Your tenant has no export ${body.previousExportId} to prove against. GET /v1/audit/exports lists the completed ones.`);
      // An expired export's file is gone, but the checkpoint it proved against still stands.
      if (previous.status !== 'completed' && previous.status !== 'expired') {
        throw new GatewayError('Conflict', `Export ${body.previousExportId} is ${previous.status}, so it has no checkpoint to prove against; name a completed export${previous.status === 'failed' ? '' : ', or wait until this one completes'}.`);
      }
    }
    const exportId = randomUUID();
    const from = utc(body.from);
    const to = utc(body.to);
    await this.send(caller, exportId, {
      type: 'RequestAuditExport',
      exportId,
      range: {
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
        ...(body.sessionIds === undefined ? {} : { sessionIds: [...new Set(body.sessionIds)] }),
        ...(body.previousExportId === undefined ? {} : { previousExportId: body.previousExportId }),
      },
    });
    // Answered once the audit service has recorded it, so a GET right after finds it; a busy or
    // stopped service still gets its command, and the 202 comes after the wait all the same.
    await pollFor(() => this.backend.audit.getExport(caller.tenantId, exportId), this.backend.confirmMs ?? 5000);
    return { exportId };
  }

  async listExports(tenantId: string, page: { limit: number; before?: string }): Promise<{ items: AuditExportRecord[]; nextCursor: string | null }> {
    const items = await this.backend.audit.listExports(tenantId, { limit: page.limit + 1, ...(page.before === undefined ? {} : { before: page.before }) });
    const shown = items.slice(0, page.limit);
    return { items: shown, nextCursor: items.length > page.limit ? shown.at(-1)!.requestedAt : null };
  }

  async getExport(tenantId: string, exportId: string): Promise<AuditExportRecord> {
    const found = await this.backend.audit.getExport(tenantId, exportId);
    if (!found) throw new GatewayError('NotFound', `Your tenant has no audit export ${exportId}. GET /v1/audit/exports lists them; a request made a moment ago may take a second to appear.`);
    return found;
  }

  /** A completed export and its bytes; 409 while it is being written or if it failed, 410 once retention deleted it. */
  async bundle(tenantId: string, exportId: string): Promise<{ record: AuditExportRecord; chunks: AsyncIterable<Buffer> }> {
    const record = await this.getExport(tenantId, exportId);
    switch (record.status) {
      case 'completed':
        return { record, chunks: this.backend.audit.bundle(tenantId, exportId) };
      case 'requested':
      case 'running':
        throw new GatewayError('Conflict', `Export ${exportId} is still being written (${record.progress.written}${record.progress.total === null ? '' : ` of ${record.progress.total}`} events); download it once GET /v1/audit/exports/${exportId} says completed.`);
      case 'failed':
        throw new GatewayError('Conflict', `Export ${exportId} failed${record.error ? ` (${record.error})` : ''}, so it has no bundle; request a new export.`);
      case 'expired':
        throw new GatewayError('Gone', `Export ${exportId} expired on ${record.expiresAt ?? 'its retention date'} and its bundle was deleted; request a new export of the same range.`);
      default: {
        const unreachable: never = record.status;
        throw new Error(`unknown export status ${String(unreachable)}`);
      }
    }
  }

  async keys(tenantId: string) {
    const items = await this.backend.audit.keys(tenantId);
    return { items, currentKeyId: items.findLast((key) => key.validUntil === null)?.keyId ?? null };
  }

  checkpoints(tenantId: string, limit: number) {
    return this.backend.audit.checkpoints(tenantId, { limit }).then((items) => ({ items }));
  }

  async retention(tenantId: string) {
    const { days, setAt } = await this.backend.audit.retention(tenantId);
    return { days, minimumDays: minAuditRetentionDays, setAt };
  }

  async rotateKey(caller: Principal): Promise<{ commandId: string }> {
    return this.send(caller, undefined, { type: 'RotateAuditKey' });
  }

  async signCheckpoint(caller: Principal): Promise<{ commandId: string }> {
    return this.send(caller, undefined, { type: 'SignAuditCheckpoint' });
  }

  async setRetention(caller: Principal, days: number): Promise<{ commandId: string; days: number }> {
    return { ...(await this.send(caller, undefined, { type: 'SetAuditRetention', days })), days };
  }

  /**
   * Sends one command, checked against the contract first: a message the audit service would
   * refuse is the gateway's bug, better found here than dead-lettered there.
   */
  private async send(caller: Principal, correlationId: string | undefined, command: DistributiveOmit<AuditCommand, 'metadata'>): Promise<{ commandId: string }> {
    const commandId = randomUUID();
    const message: AuditCommandMessage = auditCommandMessageSchema.parse({ commandId, command: { ...command, metadata: commandMetadata(caller, correlationId ?? commandId, commandId) } });
    await sendCommand(this.backend.producer, this.backend.topics.commands('audit'), auditStream(caller.tenantId), message);
    return { commandId };
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
