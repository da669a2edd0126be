import type { AlertEvent, AlertRaisedData, AlertScope } from '@agent-orchestrator/contracts';
import type { AlertCondition } from './alert-rules.js';

/** One alert key's stream folded: never raised, open, or resolved (its last raise cleared). */
export type AlertState = { readonly status: 'none' } | { readonly status: 'open'; readonly raised: AlertRaisedData } | { readonly status: 'resolved' };

export const initialAlertState: AlertState = { status: 'none' };

export function evolveAlert(state: AlertState, event: AlertEvent): AlertState {
  switch (event.type) {
    case 'AlertRaised':
      return { status: 'open', raised: event.data };
    case 'AlertResolved':
      return state.status === 'open' ? { status: 'resolved' } : state;
    default: {
      const unknown: never = event;
      throw new Error(`unknown alert event ${JSON.stringify(unknown)}`);
    }
  }
}

/** What an evaluation observed of one key: the condition holds (with its details), or it cleared. */
export type AlertObservation = { readonly holds: true; readonly condition: AlertCondition } | { readonly holds: false; readonly key: string; readonly scope: AlertScope };

/** The time and id a decision may use, drawn by the caller. */
export interface AlertDecisionContext {
  readonly now: string;
  /** The id a new alert gets. */
  readonly alertId: string;
}

type AlertEventData = Pick<AlertEvent, 'type' | 'data'>;

/**
 * Raises a key that holds and is not open; resolves an open key that no longer holds; nothing
 * otherwise. So an alert is raised once however many evaluations see it, and resolved once.
 */
export function decideAlert(state: AlertState, observation: AlertObservation, context: AlertDecisionContext): AlertEventData | undefined {
  if (observation.holds) {
    if (state.status === 'open') return undefined;
    const { key, rule, scope, severity, summary, subject } = observation.condition;
    return { type: 'AlertRaised', data: { alertId: context.alertId, key, rule, scope, severity, summary, subject: { ...subject }, raisedAt: context.now } };
  }
  if (state.status !== 'open') return undefined;
  const { alertId, key, rule, scope, summary } = state.raised;
  return { type: 'AlertResolved', data: { alertId, key, rule, scope, summary: `Resolved: ${summary}`.slice(0, 500), resolvedAt: context.now } };
}
