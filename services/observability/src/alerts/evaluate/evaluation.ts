import { platformAlertTenantId, type AlertScope } from '@agent-orchestrator/contracts';
import type { EventStore } from '@agent-orchestrator/event-store';
import type { AlertQueries } from '@agent-orchestrator/read-models';
import type pg from 'pg';
import type { AlertObservation } from '../domain/decide-alert.js';
import { alertStreamOf, recordObservation, type AlertOutcome } from './alert-log.js';
import { observeConditions, type ConditionLimits } from './conditions.js';

export interface EvaluationDeps {
  readonly pool: pg.Pool;
  readonly store: EventStore;
  readonly schema: string;
  readonly alerts: AlertQueries;
  readonly limits: ConditionLimits;
}

export type EvaluationSummary = { readonly ran: false } | { readonly ran: true; readonly outcomes: Readonly<Record<AlertOutcome, number>> };

const scopeOfTenant = (tenantId: string): AlertScope => (tenantId === platformAlertTenantId ? { kind: 'platform' } : { kind: 'tenant', tenantId });

/**
 * One evaluation of the sweepable rules, by one process at a time (a session advisory lock; a
 * process that finds it taken skips its turn): every condition that holds is observed as holding,
 * every open alert of an evaluated rule that no longer holds as cleared. The stream's expected
 * version is what keeps a raise single even if two evaluations overlapped anyway.
 */
export async function evaluateAlerts(deps: EvaluationDeps): Promise<EvaluationSummary> {
  const client = await deps.pool.connect();
  const lock = `alerts-evaluation:${deps.schema}`;
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [lock]);
    if (!rows[0]?.locked) return { ran: false };
    try {
      return { ran: true, outcomes: await evaluateLocked(deps) };
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lock]);
    }
  } finally {
    client.release();
  }
}

async function evaluateLocked(deps: EvaluationDeps): Promise<Record<AlertOutcome, number>> {
  const openAlerts = await deps.alerts.open(deps.pool);
  const { conditions, evaluated, now } = await observeConditions(deps.pool, deps.schema, deps.limits, new Set(openAlerts.map((open) => `${open.tenantId}:${open.key}`)));
  const observations = new Map<string, AlertObservation>();
  for (const condition of conditions) observations.set(alertStreamOf(condition.scope, condition.key), { holds: true, condition });
  for (const open of openAlerts) {
    if (!evaluated.has(open.rule) || observations.has(open.streamId)) continue;
    observations.set(open.streamId, { holds: false, key: open.key, scope: scopeOfTenant(open.tenantId) });
  }
  const outcomes: Record<AlertOutcome, number> = { raised: 0, resolved: 0, unchanged: 0, raced: 0 };
  for (const observation of observations.values()) outcomes[await recordObservation(deps.store, observation, now.toISOString())]++;
  return outcomes;
}
