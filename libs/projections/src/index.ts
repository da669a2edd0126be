export type { Projection } from './projection.js';
export {
  defaultQuarantinePolicy,
  lagCountLimit,
  ProjectionRunner,
  type ProjectionRunnerOptions,
  type ProjectionStatus,
  type QuarantinePolicy,
  type RebuildProgress,
  type RetryResult,
} from './projection-runner.js';
export { failureKind, ProjectionEventError, type FailureKind } from './failure-kind.js';
export type { QuarantinedEvent } from './quarantine.js';
export { storableEvent, storableText, storableValue } from './storable-text.js';
