import {
  epochMillisOf,
  minAuditRetentionDays,
  type AuditEvent,
  type AuditExportRange,
  type CommandMetadata,
  type EventEnvelope,
  type NewEvent,
  type RequestAuditExport,
  type SetAuditRetention,
} from '@agent-orchestrator/contracts';
import { plusDays } from './calendar.js';

/**
 * Why the audit trail refused a command. Compare `code`.
 * - KeyOutOfTurn: a key activation that does not follow the tenant's active key (another rotation got there first).
 * - UnknownKey: a checkpoint signed by a key that is not the tenant's active one.
 * - ExportNotRequested: completing or failing an export the tenant never asked for.
 * - InvalidCommand: metadata the decider cannot use.
 */
export const auditErrorCodes = ['KeyOutOfTurn', 'UnknownKey', 'ExportNotRequested', 'InvalidCommand'] as const;
export type AuditErrorCode = (typeof auditErrorCodes)[number];

export class AuditError extends Error {
  override readonly name = 'AuditError';

  constructor(
    readonly code: AuditErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface AuditKey {
  readonly keyId: string;
  readonly publicKey: string;
  readonly validFrom: string;
  readonly previousKeyId: string | null;
}

export type ExportStatus = 'requested' | 'completed' | 'failed';

export interface AuditTrailState {
  readonly keys: readonly AuditKey[];
  /** The key checkpoints are signed with now: the last activated. */
  readonly activeKey: AuditKey | undefined;
  readonly exports: ReadonlyMap<string, { readonly status: ExportStatus; readonly range: AuditExportRange }>;
  readonly retentionDays: number;
  readonly lastCheckpointSize: number | undefined;
}

/** Service-made commands: what a key, a signature or a finished job brings back to the trail. */
export interface ActivateAuditKey {
  readonly type: 'ActivateAuditKey';
  readonly keyId: string;
  readonly publicKey: string;
  readonly previousKeyId: string | null;
  readonly endorsement: string | null;
  readonly metadata: CommandMetadata;
}

export interface RecordAuditCheckpoint {
  readonly type: 'RecordAuditCheckpoint';
  readonly checkpoint: { readonly treeSize: number; readonly rootHash: string; readonly signedAt: string; readonly keyId: string; readonly signature: string; readonly timestamp?: string };
  readonly reason: 'interval' | 'requested' | 'export';
  readonly metadata: CommandMetadata;
}

export interface CompleteAuditExport {
  readonly type: 'CompleteAuditExport';
  readonly exportId: string;
  readonly treeSize: number;
  readonly rootHash: string;
  readonly events: number;
  readonly bytes: number;
  readonly sha256: string;
  readonly metadata: CommandMetadata;
}

export interface FailAuditExport {
  readonly type: 'FailAuditExport';
  readonly exportId: string;
  readonly reason: string;
  readonly metadata: CommandMetadata;
}

export type AuditTrailCommand = RequestAuditExport | SetAuditRetention | ActivateAuditKey | RecordAuditCheckpoint | CompleteAuditExport | FailAuditExport;

export const initialAuditTrail = (): AuditTrailState => ({ keys: [], activeKey: undefined, exports: new Map(), retentionDays: minAuditRetentionDays, lastCheckpointSize: undefined });

export function evolveAuditTrail(state: AuditTrailState, envelope: EventEnvelope): AuditTrailState {
  const event = envelope as EventEnvelope & AuditEvent;
  switch (event.type) {
    case 'AuditKeyActivated': {
      const key = { keyId: event.data.keyId, publicKey: event.data.publicKey, validFrom: event.data.validFrom, previousKeyId: event.data.previousKeyId };
      return { ...state, keys: [...state.keys, key], activeKey: key };
    }
    case 'AuditCheckpointSigned':
      return { ...state, lastCheckpointSize: event.data.treeSize };
    case 'AuditExportRequested':
      return { ...state, exports: new Map(state.exports).set(event.data.exportId, { status: 'requested', range: event.data.range }) };
    case 'AuditExportCompleted':
    case 'AuditExportFailed': {
      const known = state.exports.get(event.data.exportId);
      if (!known) return state;
      return { ...state, exports: new Map(state.exports).set(event.data.exportId, { ...known, status: event.type === 'AuditExportCompleted' ? 'completed' : 'failed' }) };
    }
    case 'AuditRetentionSet':
      return { ...state, retentionDays: event.data.days };
    default:
      return state;
  }
}

export function decideAuditTrail(command: AuditTrailCommand, state: AuditTrailState): NewEvent[] {
  const { tenantId, correlationId, causationId, actor, traceparent, now, eventIds } = command.metadata;
  const eventId = eventIds[0];
  if (eventId === undefined) throw new AuditError('InvalidCommand', `${command.type} needs an event id in its metadata`);
  if (epochMillisOf(now) === undefined) throw new AuditError('InvalidCommand', `"${now}" is not a UTC ISO-8601 instant`);
  const event = (type: AuditEvent['type'], data: Record<string, unknown>): NewEvent => ({ eventId, type, schemaVersion: 1, tenantId, correlationId, causationId, actor, occurredAt: now, traceparent, data });
  switch (command.type) {
    case 'RequestAuditExport':
      // Idempotent by export id: the gateway's retry, or a redelivery, asks for the same bundle.
      if (state.exports.has(command.exportId)) return [];
      return [event('AuditExportRequested', { exportId: command.exportId, range: command.range })];
    case 'SetAuditRetention':
      return [event('AuditRetentionSet', { days: command.days })];
    case 'ActivateAuditKey': {
      if (state.keys.some((key) => key.keyId === command.keyId)) return [];
      const active = state.activeKey?.keyId ?? null;
      if (command.previousKeyId !== active) {
        throw new AuditError('KeyOutOfTurn', `key ${command.keyId} follows ${command.previousKeyId ?? 'no key'}, but the active key is ${active ?? 'none'}; rotate again from the active key`);
      }
      return [event('AuditKeyActivated', { keyId: command.keyId, algorithm: 'Ed25519', publicKey: command.publicKey, validFrom: now, previousKeyId: command.previousKeyId, endorsement: command.endorsement })];
    }
    case 'RecordAuditCheckpoint': {
      const { checkpoint } = command;
      if (checkpoint.keyId !== state.activeKey?.keyId) {
        throw new AuditError('UnknownKey', `checkpoint signed by key ${checkpoint.keyId}, but the active key is ${state.activeKey?.keyId ?? 'none'}`);
      }
      return [event('AuditCheckpointSigned', { ...checkpoint, reason: command.reason })];
    }
    case 'CompleteAuditExport': {
      const known = state.exports.get(command.exportId);
      if (!known) throw new AuditError('ExportNotRequested', `export ${command.exportId} was never requested by tenant ${tenantId}`);
      if (known.status !== 'requested') return [];
      const expiresAt = plusDays(now, state.retentionDays)!;
      const { exportId, treeSize, rootHash, events, bytes, sha256 } = command;
      return [event('AuditExportCompleted', { exportId, treeSize, rootHash, events, bytes, sha256, expiresAt })];
    }
    case 'FailAuditExport': {
      const known = state.exports.get(command.exportId);
      if (!known) throw new AuditError('ExportNotRequested', `export ${command.exportId} was never requested by tenant ${tenantId}`);
      if (known.status !== 'requested') return [];
      return [event('AuditExportFailed', { exportId: command.exportId, reason: command.reason.slice(0, 2000) })];
    }
    default: {
      const unknown: never = command;
      throw new AuditError('InvalidCommand', `unknown command ${(unknown as { type: string }).type}`);
    }
  }
}
