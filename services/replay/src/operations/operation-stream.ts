import type { Decider } from '@agent-orchestrator/event-store';
import { decide, evolve, initialState, type OperationCommand, type OperationState } from '../domain/operation/index.js';

/** The operation decider in the shape the one command handler takes. */
export const operationDecider: Decider<OperationCommand, OperationState> = { initialState, evolve, decide };

/** The replay service's actor on the events it decides itself (item outcomes, completion). */
export const replayActor = { kind: 'service', id: 'replay' } as const;
