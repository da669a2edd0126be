export type { Projection } from './projection.js';
export { lagCountLimit, ProjectionRunner, type ProjectionRunnerOptions, type ProjectionStatus, type RebuildProgress } from './projection-runner.js';
export { failureKind, ProjectionEventError, type FailureKind } from './failure-kind.js';
export { defaultQuarantinePolicy, type QuarantinedEvent, type QuarantinePolicy, type RetryResult } from './quarantine.js';
export { storableEvent, storableText, storableValue } from './storable-text.js';
