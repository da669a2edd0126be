export {
  itemSources,
  operationKinds,
  type ExecutionContext,
  type ItemOutcome,
  type ItemResult,
  type ItemSource,
  type ItemSourceName,
  type OperationFilter,
  type OperationItem,
  type OperationKind,
  type OperationScope,
} from './operations/item-source.js';
export { releaseDeciders, type Deciders } from './sessions/deciders.js';
export type { ReplayDifference } from './sessions/difference.js';
export { replaySession, type SessionReplayReport } from './sessions/session-replayer.js';
export { SessionReplaySource } from './sessions/session-source.js';
export { DeadLetterSource, deadLetterFilter, type DeadLetterSourceOptions } from './dead-letters/dead-letter-source.js';
export { deadLetterIndexGroup, startDeadLetterIndexing, type DeadLetterIndexing, type DeadLetterIndexingOptions } from './dead-letters/dead-letter-indexing.js';
export { parseReplayConfig, type ReplayConfig } from './config.js';
export { startReplay, type ReplayOptions } from './service.js';
export { decide as decideOperation, evolve as evolveOperation, initialState as initialOperation, OperationError, isOperationError, operationErrorCodes, type OperationErrorCode, type OperationState } from './domain/operation/index.js';
export { ParkedCallSource, type ParkedCallSourceOptions } from './parked-calls/parked-call-source.js';
export { parkedCallIndexGroup, startParkedCallIndexing, type ParkedCallIndexingOptions } from './parked-calls/parked-call-indexing.js';
export { parkedCallEntry, parkedCallId } from './parked-calls/parked-call-entry.js';
