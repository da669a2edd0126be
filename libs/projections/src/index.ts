export type { BulkWriter, Projection, ProjectionTables } from './projection.js';
export { lagCountLimit, ProjectionRunner, type ProjectionRunnerOptions, type ProjectionStatus, type RebuildProgress } from './projection-runner.js';
export { failureKind, ProjectionEventError, type FailureKind } from './failure-kind.js';
export { defaultQuarantinePolicy, type QuarantinedEvent, type QuarantinePolicy, type RetryResult } from './quarantine.js';
export { storableEvent, storableText, storableValue } from './storable-text.js';
export { ProjectionOperations, type ProjectionCommandOutcome, type ProjectionOperationsOptions } from './projection-operations.js';
export {
  projectionState,
  ProjectionStatusTable,
  readProjectionStatuses,
  type ProjectionOperationKind,
  type ProjectionOperationProgress,
  type ProjectionState,
  type ProjectionStatusRecord,
  type StallLimits,
  type StatusQueryable,
} from './projection-status.js';
export { waitForProjectionCheckpoint } from './projection-checkpoint.js';
export { shadowSchemaName } from './shadow-rebuild.js';
