import { migrateAuditStore } from '@agent-orchestrator/audit-store';
import { auditCommandMessageSchema } from '@agent-orchestrator/contracts';
import { openSecretStore } from '@agent-orchestrator/secrets';
import { startCommandConsumer, startSweep, type Platform, type RunningService } from '@agent-orchestrator/service-host';
import { auditCommandHandler } from './audit-commands.js';
import { Checkpointer } from './checkpoints/checkpointer.js';
import type { AuditConfig } from './config.js';
import { ExportJobs } from './exports/export-jobs.js';
import { sweepExpiredBundles } from './exports/retention-sweep.js';
import { verifyStoredBundle } from './exports/stored-verification.js';
import { SigningKeys } from './keys/signing-keys.js';
import { startTreeBuilding } from './tree/tree-subscription.js';
import { TreeBuilder } from './tree/tree-builder.js';

const now = () => new Date().toISOString();

/**
 * The audit process: builds every tenant's Merkle tree from the log as it is appended, signs
 * checkpoints every `checkpointIntervalMs` (and on SignAuditCheckpoint, and for each export),
 * rotates keys, writes exports from `commands.audit` into stored bundles, and deletes expired
 * bundles every `retentionSweepMs`. Its tables live in the read-model schema.
 */
export async function startAudit(platform: Platform, config: AuditConfig): Promise<RunningService> {
  const { store, pool, logger } = platform;
  const tables = await migrateAuditStore(pool, { schema: platform.config.readModelSchema, appRole: platform.appRole.name });
  const secrets = await openSecretStore(config.secrets, platform, logger);
  if (secrets === undefined) logger.warn('no secret store is configured (SECRETS_KEY or SECRETS_BACKEND=vault): the audit trail is built, but no checkpoint or export can be signed');
  if (config.tsaUrl !== undefined) logger.warn({ tsaUrl: config.tsaUrl }, 'AUDIT_TSA_URL is set, but RFC 3161 time-stamping is not built yet: checkpoints carry no timestamp token');
  const keys = new SigningKeys({ store, secrets, logger, now });
  // A tenant's first key is made as soon as its trail starts, so its public key can be pinned before any export.
  const firstKeys = (tenantIds: readonly string[]) => {
    if (secrets === undefined) return;
    for (const tenantId of tenantIds) keys.activeSigner(tenantId).catch((error: unknown) => logger.warn({ err: error, tenantId }, 'making the tenant\'s first audit key failed; it is made when it is first needed'));
  };
  const builder = new TreeBuilder({ store, pool, tables, onTreesStarted: firstKeys });
  const checkpointer = new Checkpointer({ store, pool, tables, builder, keys, logger, now });
  const exports = new ExportJobs({ store, pool, tables, checkpointer, keys, logger, now, verify: verifyStoredBundle });
  const building = startTreeBuilding(platform, builder);
  const resumed = await exports.resume();
  if (resumed > 0) logger.info({ exports: resumed }, 'audit exports left unfinished run again from the start');
  const commands = await startCommandConsumer(platform, 'audit', auditCommandMessageSchema, auditCommandHandler({ store, checkpointer, keys, exports, logger }));
  const checkpoints = startSweep(platform, 'audit checkpoint interval', config.checkpointIntervalMs, async () => {
    await checkpointer.signGrownTrees();
  });
  const retention = startSweep(platform, 'audit retention sweep', config.retentionSweepMs, async () => {
    const expired = await sweepExpiredBundles(pool, tables, now());
    if (expired > 0) logger.info({ expired }, 'expired audit bundles deleted');
  });
  return {
    async stop() {
      await commands.stop();
      await checkpoints.stop();
      await retention.stop();
      await exports.settled();
      await building.stop();
      await secrets?.close();
    },
  };
}
