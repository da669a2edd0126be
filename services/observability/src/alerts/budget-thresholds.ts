import type { BudgetLedgerEvent, EventEnvelope } from '@agent-orchestrator/contracts';
import { eventDecoder, type RunningConsumer } from '@agent-orchestrator/messaging';
import type { Platform } from '@agent-orchestrator/service-host';
import type { RunningAlerts } from './alerts.js';

/** The budget alerts' own group on `events.budgetledger`. */
export const budgetAlertGroup = 'observability.budget-alerts';

/**
 * Budgets at 50, 80 and 100 %: every `BudgetThresholdCrossed` the agent runtime records on a
 * budget's ledger becomes the budget's alert (see budgetAlert). A crossing is raised once however
 * often Kafka delivers it: the alert's stream takes one raise per key. What cannot be handled goes
 * to the group's dead-letter topic with its reason, and the rest flows on.
 */
export async function startBudgetAlerts(platform: Platform, alerts: Pick<RunningAlerts, 'budgetThresholdCrossed'>): Promise<RunningConsumer> {
  const { broker, producer, topics, logger } = platform;
  await broker.ensureTopics([{ name: topics.deadLetters(budgetAlertGroup), partitions: 1 }]);
  return broker.consume<EventEnvelope>({
    groupId: topics.consumerGroup(budgetAlertGroup),
    topics: [topics.events('budgetledger')],
    decode: eventDecoder(),
    handle: async ({ value }) => {
      const event = value as EventEnvelope & BudgetLedgerEvent;
      if (event.type !== 'BudgetThresholdCrossed') return;
      await alerts.budgetThresholdCrossed(event.tenantId, event.data, event.occurredAt);
    },
    deadLetters: { producer, topic: topics.deadLetters(budgetAlertGroup) },
    logger,
  });
}
