export { describeOverrun } from './budget.js';
export { decide } from './decide.js';
export { maxEventsPerDecision } from './decision.js';
export { evolve } from './evolve.js';
export { SessionError, sessionErrorCodes, type SessionErrorCode } from './errors.js';
export { defaultSessionPolicy, type SessionPolicy } from './policy.js';
export { initialState, sessionStatus, type SessionState, type StepProgress } from './state.js';
export { commandForOutcome, orchestratorActor, outcomeMetadata, planRefusedCommand, planRefusedCommandId, type RunOutcomeEvent } from './run-outcome.js';
