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
