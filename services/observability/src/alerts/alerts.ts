import { EgressGuard } from '@agent-orchestrator/egress';
import { ProjectionRunner, type Projection } from '@agent-orchestrator/projections';
import { AlertQueries, AlertsProjection } from '@agent-orchestrator/read-models';
import { openSecretStore } from '@agent-orchestrator/secrets';
import { startSweep, type Platform, type RunningService } from '@agent-orchestrator/service-host';
import { DataSource } from 'typeorm';
import type { AlertsConfig } from './config.js';
import { deliverDue } from './delivery/deliverer.js';
import { AlertDeliveryOutbox } from './delivery/delivery-outbox.js';
import { budgetAlert, budgetAlertsSuperseded, type BudgetThresholdCrossed } from './domain/budget-rule.js';
import { recordObservation } from './evaluate/alert-log.js';
import { evaluateAlerts, type EvaluationSummary } from './evaluate/evaluation.js';
import { startBudgetAlerts } from './budget-thresholds.js';

export interface RunningAlerts extends RunningService {
  /** One evaluation now (what the schedule does every ALERT_EVALUATE_MS). */
  evaluateNow(): Promise<EvaluationSummary>;
  /** One delivery run now (what the schedule does every ALERT_DELIVERY_POLL_MS): how many deliveries it took up. */
  deliverNow(): Promise<number>;
  /** Raises the alert of a `BudgetThresholdCrossed` event, resolving the same budget's alerts of earlier periods. */
  budgetThresholdCrossed(tenantId: string, crossed: BudgetThresholdCrossed, occurredAt: string): Promise<void>;
}

/**
 * Alerts: the rules evaluated on a schedule, one process at a time, each raising or resolving an
 * alert on its `alert-<id>` stream; the alerts read model (`GET /v1/alerts`); and the webhook
 * delivery outbox with its deliverer. Both runners follow the log on their own checkpoints.
 */
export async function startAlerts(platform: Platform, config: AlertsConfig): Promise<RunningAlerts> {
  const { store, pool, logger } = platform;
  const schema = platform.config.readModelSchema;
  const dataSource = await new DataSource({ type: 'postgres', url: platform.config.databaseUrl, schema, poolSize: 3, entities: [] }).initialize();
  await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  const runners: ProjectionRunner[] = [];
  const follow = async (projection: Projection) => {
    const runner = new ProjectionRunner(projection, {
      store,
      dataSource,
      schema,
      statusReader: platform.appRole.name,
      quarantine: { windowMs: platform.config.projectionRetryWindowMs },
      onError: (error, attempt) => logger.warn({ err: error, attempt, projection: projection.name }, 'projection batch failed; retrying'),
      onQuarantine: (event) => logger.error({ projection: event.projection, eventId: event.eventId, type: event.type, reason: event.reason }, 'projection quarantined an event it could not apply; it moves on without it'),
    });
    await runner.start();
    platform.readiness.register(`projection:${projection.name}`, 'projection', () => runner.status());
    runners.push(runner);
  };
  await follow(new AlertsProjection(schema, platform.appRole.name));
  await follow(new AlertDeliveryOutbox(schema));

  const secrets = await openSecretStore(config.secrets, platform, logger);
  if (!secrets) logger.warn('no secret store configured (SECRETS_KEY or SECRETS_BACKEND=vault): alert webhooks cannot be read, so alerts are not delivered');
  const egress = new EgressGuard({ operatorAllow: config.egressAllow, operatorDeny: config.egressDeny });
  const alerts = new AlertQueries(schema);
  const stall = { stallAfterMs: platform.config.readinessStallMs, heartbeatStaleAfterMs: platform.config.readinessStallMs };
  const evaluateNow = () => evaluateAlerts({ pool, store, schema, alerts, limits: { deadLetters: config.deadLetters, approvalSlaMs: config.approvalSlaMs, stall } });
  const deliverNow = () => deliverDue({ pool, schema, store, secrets, egress, config: config.delivery, logger });
  const evaluation = startSweep(platform, 'alert evaluation', config.evaluateMs, async () => void (await evaluateNow()));
  const delivery = startSweep(platform, 'alert delivery', config.delivery.pollMs, async () => void (await deliverNow()));
  const budgetThresholdCrossed = async (tenantId: string, crossed: BudgetThresholdCrossed, occurredAt: string) => {
    const condition = budgetAlert(tenantId, crossed);
    await recordObservation(store, { holds: true, condition }, occurredAt);
    const open = (await alerts.open(pool)).filter((alert) => alert.tenantId === tenantId && alert.rule === 'budget');
    for (const key of budgetAlertsSuperseded(open.map((alert) => alert.key), crossed)) await recordObservation(store, { holds: false, key, scope: condition.scope }, occurredAt);
  };
  const budgets = await startBudgetAlerts(platform, { budgetThresholdCrossed });

  return {
    evaluateNow,
    deliverNow,
    budgetThresholdCrossed,
    async stop() {
      await budgets.stop();
      await evaluation.stop();
      await delivery.stop();
      for (const runner of runners) await runner.stop();
      await egress.close();
      await secrets?.close();
      await dataSource.destroy();
    },
  };
}
