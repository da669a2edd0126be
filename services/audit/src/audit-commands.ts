import { auditStream, type AuditCommandMessage } from '@agent-orchestrator/contracts';
import { eventIdsFor, handleCommand, isEventStoreError, type EventStore } from '@agent-orchestrator/event-store';
import { MessagingError, type ConsumedMessage } from '@agent-orchestrator/messaging';
import type { Logger } from 'pino';
import { auditTrailDecider } from './audit-trail-stream.js';
import type { Checkpointer } from './checkpoints/checkpointer.js';
import type { ExportJobs } from './exports/export-jobs.js';
import { isSigningRefused } from './keys/signing-refused.js';
import type { SigningKeys } from './keys/signing-keys.js';

export interface AuditCommandDeps {
  readonly store: EventStore;
  readonly checkpointer: Checkpointer;
  readonly keys: SigningKeys;
  readonly exports: ExportJobs;
  readonly logger: Logger;
}

/**
 * Handles the commands on `commands.audit`. Event ids derive from the command id, so a
 * redelivered request records nothing twice. A command the service cannot carry out (no secret
 * store, a signing key that is missing or replaced, a refusal of the trail) goes to the
 * dead-letter topic with the reason: retrying would not help.
 */
export function auditCommandHandler(deps: AuditCommandDeps): (message: ConsumedMessage<AuditCommandMessage>) => Promise<void> {
  return async ({ value: { commandId, command } }) => {
    const { tenantId } = command.metadata;
    try {
      switch (command.type) {
        case 'RequestAuditExport': {
          await deps.exports.request({ ...command, metadata: { ...command.metadata, eventIds: eventIdsFor(commandId, 1) } });
          return;
        }
        case 'SetAuditRetention': {
          const withIds = { ...command, metadata: { ...command.metadata, eventIds: eventIdsFor(commandId, 1) } };
          await handleCommand(deps.store, auditStream(tenantId), withIds, auditTrailDecider);
          return;
        }
        case 'SignAuditCheckpoint':
          await deps.checkpointer.sign(tenantId, 'requested', commandId);
          return;
        case 'RotateAuditKey':
          await deps.keys.rotate(tenantId, eventIdsFor(commandId, 1)[0]);
          return;
        default: {
          const unknown: never = command;
          throw new MessagingError('Rejected', `unknown audit command ${(unknown as { type: string }).type}`);
        }
      }
    } catch (error) {
      if (isSigningRefused(error) || (error instanceof Error && error.name === 'AuditError')) throw new MessagingError('Rejected', `${command.type} for tenant ${tenantId}: ${error.message}`, { cause: error });
      if (isEventStoreError(error) && !error.retryable) throw new MessagingError('Rejected', `${command.type} for tenant ${tenantId}: ${error.message}`, { cause: error });
      throw error;
    }
  };
}
