export { maxEventsPerRunDecision, runDecisionIdSeed, runStartIdNamespace, runStartIdSeed, runtimeActor, type RunCommand } from './commands.js';
export { decide, type DecidedRunEvent } from './decide.js';
export { RunError, runErrorCodes, type RunErrorCode } from './errors.js';
export { evolve } from './evolve.js';
export { firstTurnOf, resumption } from './resumption.js';
export { addUsage, initialState, noUsage, type PendingCall, type RecordedResponse, type RunPause, type RunState } from './state.js';
export { taskOf, type WorkRequest } from './work-request.js';
export { toolAnswerIn, type ToolAnswer } from './tool-answer.js';
