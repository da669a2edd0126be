export { createClient, type AgentOrchestratorClient, type Answer, type ApprovalFilter, type BodyOf, type ClientOptions, type Decision, type QueryOf, type RawClient, type SessionFilter, type StartSession } from './client.js';
export { defaultBackoff, followLive, type ApprovalEnvelope, type LiveConnector, type LiveMessage, type LiveOptions, type LiveSocket } from './live.js';
export { everyItem, pageOf, type ItemOf, type Page } from './paging.js';
export { isProblem, problemFrom, problemOf, problemTypes, ProblemError, retryAfterSeconds, type FieldProblem, type ProblemType } from './problem.js';
export type { components, operations, paths } from './generated/openapi.js';
