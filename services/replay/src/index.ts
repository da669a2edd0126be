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
export { DeadLetterSource, deadLetterFilter, type DeadLetterSourceOptions } from './dead-letters/dead-letter-source.js';
export { deadLetterIndexGroup, startDeadLetterIndexing, type DeadLetterIndexing, type DeadLetterIndexingOptions } from './dead-letters/dead-letter-indexing.js';
