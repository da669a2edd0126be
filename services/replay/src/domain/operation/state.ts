import type { EventEnvelope, OperationCounts, OperationEvent, OperationFilterRecord, OperationItemRecord, OperationScopeRecord, operationKinds } from '@agent-orchestrator/contracts';

export type OperationPhase = 'planned' | 'running' | 'paused' | 'completed' | 'aborted';

export interface OperationPlan {
  readonly operationId: string;
  readonly kind: (typeof operationKinds)[number];
  readonly filter: OperationFilterRecord;
  readonly scope: OperationScopeRecord;
  /** The tenant every event of the operation carries (the scope's, or the platform's). */
  readonly tenantId: string;
  readonly rate: number;
  readonly reason: string | undefined;
  readonly total: number;
  readonly repeatsSideEffect: number;
  readonly counts: OperationCounts;
}

export type OperationState =
  | { readonly phase: 'absent' }
  | { readonly phase: 'refused'; readonly operationId: string; readonly scope: OperationScopeRecord; readonly tenantId: string; readonly reason: string }
  | {
      readonly phase: OperationPhase;
      readonly plan: OperationPlan;
      /** The planned items in plan order, as the matched chunks listed them. */
      readonly items: readonly OperationItemRecord[];
      /**
       * How many items have their outcome. Outcomes are recorded in plan order, so they are the
       * first `recorded` items: an item is recorded once, and the rest are the work left.
       */
      readonly recorded: number;
      readonly succeeded: number;
      readonly failed: number;
      readonly skipped: number;
    };

export type PlannedOperation = Extract<OperationState, { plan: OperationPlan }>;

export const initialState = (): OperationState => ({ phase: 'absent' });

export function evolve(state: OperationState, envelope: EventEnvelope | OperationEvent): OperationState {
  const event = envelope as OperationEvent;
  switch (event.type) {
    case 'OperationPlanned': {
      const { operationId, kind, filter, scope, rate, reason, total, repeatsSideEffect, counts } = event.data;
      const plan = { operationId, kind, filter, scope, tenantId: event.tenantId, rate, reason, total, repeatsSideEffect, counts };
      return { phase: 'planned', plan, items: [], recorded: 0, succeeded: 0, failed: 0, skipped: 0 };
    }
    case 'OperationItemsMatched':
      return 'plan' in state ? { ...state, items: [...state.items, ...event.data.items] } : state;
    case 'OperationPlanRefused':
      return { phase: 'refused', operationId: event.data.operationId, scope: event.data.scope, tenantId: event.tenantId, reason: event.data.reason };
    case 'OperationStarted':
    case 'OperationResumed':
      return 'plan' in state ? { ...state, phase: 'running' } : state;
    case 'OperationPaused':
      return 'plan' in state ? { ...state, phase: 'paused' } : state;
    case 'OperationAborted':
      return 'plan' in state ? { ...state, phase: 'aborted' } : state;
    case 'OperationCompleted':
      return 'plan' in state ? { ...state, phase: 'completed' } : state;
    case 'OperationItemExecuted': {
      if (!('plan' in state)) return state;
      const outcome = event.data.outcome;
      return { ...state, recorded: state.recorded + 1, [outcome]: state[outcome] + 1 };
    }
    default: {
      const unknown: never = event;
      throw new Error(`an operation stream holds no ${(unknown as { type: string }).type}`);
    }
  }
}

/** Items without an outcome, in the order they are acted on. */
export const remainingItems = (state: PlannedOperation): readonly OperationItemRecord[] => state.items.slice(state.recorded);

export function unreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}
