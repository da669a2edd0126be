import { replayCommandMessageSchema } from '@agent-orchestrator/contracts';
import { processMetrics, watchReadModels } from '@agent-orchestrator/metrics';
import { ProjectionRunner } from '@agent-orchestrator/projections';
import { OperationQueries, OperationsProjection } from '@agent-orchestrator/read-models';
import { startCommandConsumer, startSweep, type Platform, type RunningService } from '@agent-orchestrator/service-host';
import { DataSource } from 'typeorm';
import type { ReplayConfig } from './config.js';
import type { ItemSource } from './operations/item-source.js';
import { operationCommandHandler } from './operations/operation-commands.js';
import { OperationRunner } from './operations/operation-runner.js';
import { SessionReplaySource } from './sessions/session-source.js';
import { startDeadLetters } from './dead-letters/dead-letters.js';
import { startParkedCalls } from './parked-calls/parked-calls.js';
import { ProjectionSource } from './projections/projection-source.js';

const now = () => new Date().toISOString();

export interface ReplayOptions {
  /** More sources beside the registered ones (a spec's test source), each in place of a registered source of the same name. */
  readonly extraSources?: readonly ItemSource[];
}

/**
 * The replay process: SRE operations from `commands.replay` (plan, confirm, pause, resume, abort),
 * each on its own `operation-<id>` stream; the runner that acts on a confirmed operation's items at
 * its rate; the operations read model the gateway lists them from. A sweep finds running operations
 * no process is running (after a restart) and runs them on.
 */
export async function startReplay(platform: Platform, config: ReplayConfig, options: ReplayOptions = {}): Promise<RunningService> {
  const { store, pool, logger } = platform;
  const schema = platform.config.readModelSchema;

  const parkedCalls = await startParkedCalls(platform);
  // What operations act on: one line per source (dead letters, parked calls, projections, sessions).
  const deadLetters = await startDeadLetters(platform, { maxRedrives: config.maxRedrives, rescanMs: config.deadLetterRescanMs });
  // This process indexes the dead letters: it answers for their gauge.
  const unwatchDeadLetters = watchReadModels(processMetrics, pool, schema, { deadLetters: true });
  const projectionSource = new ProjectionSource({ db: pool, schema, producer: platform.producer, topics: platform.topics, limits: { stallAfterMs: platform.config.readinessStallMs, heartbeatStaleAfterMs: platform.config.readinessStallMs } });
  const itemSources: ItemSource[] = [deadLetters.source, parkedCalls.source, projectionSource, new SessionReplaySource({ store, pool, readModelSchema: schema })];

  // A spec's source stands in for the registered one of its name: the runner routes items by source name.
  const extra = options.extraSources ?? [];
  const sources = [...itemSources.filter((registered) => !extra.some((source) => source.source === registered.source)), ...extra];
  const dataSource = await new DataSource({ type: 'postgres', url: platform.config.databaseUrl, schema, poolSize: 3, entities: [] }).initialize();
  await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  const projection = new ProjectionRunner(new OperationsProjection(schema, platform.appRole.name), {
    store,
    dataSource,
    schema,
    quarantine: { windowMs: platform.config.projectionRetryWindowMs },
    onError: (error, attempt) => logger.warn({ err: error, attempt, projection: 'operations' }, 'projection batch failed; retrying'),
    onQuarantine: (event) => logger.error({ projection: event.projection, eventId: event.eventId, streamId: event.streamId, type: event.type, reason: event.reason, attempts: event.attempts }, 'projection quarantined an event it could not apply; it moves on without it'),
  });
  await projection.start();
  platform.readiness.register('projection:operations', 'projection', () => projection.status());

  const runner = new OperationRunner({ store, pool, sources, logger, maxBatch: config.maxBatch, maxConcurrency: config.maxConcurrency, maxRunning: config.maxRunning, now });
  const queries = new OperationQueries(schema);
  const sweepRunning = async () => {
    for (const operationId of await queries.runningIds(pool)) runner.wake(operationId);
  };
  // Operations a stopped process left running go on at once, not a sweep later.
  await sweepRunning();
  const sweep = startSweep(platform, 'replay running-operations sweep', config.sweepMs, sweepRunning);
  const commands = await startCommandConsumer(platform, 'replay', replayCommandMessageSchema, operationCommandHandler({ store, sources, defaultRate: config.defaultRate, wake: (id) => runner.wake(id), logger }), { partitionsConsumedConcurrently: 6 });
  return {
    async stop() {
      // Acting on items stops first (the batch in hand is recorded); a confirm that arrives meanwhile is run by the next process's sweep.
      unwatchDeadLetters();
      await runner.stop();
      await sweep.stop();
      await commands.stop();
      await projection.stop();
      await deadLetters.stop();
      await dataSource.destroy();
      await parkedCalls.stop();
    },
  };
}
