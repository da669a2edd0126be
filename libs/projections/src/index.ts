export type { Projection } from './projection.js';
export { ProjectionRunner, type ProjectionRunnerOptions, type RebuildProgress } from './projection-runner.js';
