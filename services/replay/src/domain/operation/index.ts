export { decide, tenantOfScope } from './decide.js';
export { evolve, initialState, remainingItems, type OperationPhase, type OperationPlan, type OperationState, type PlannedOperation } from './state.js';
export { OperationError, isOperationError, operationErrorCodes, type OperationErrorCode } from './errors.js';
export type { ItemOutcomeRecord, OperationCommand, RecordItemOutcomes, RecordPlan } from './commands.js';
