export {
  decide,
  defaultSessionPolicy,
  evolve,
  initialState,
  maxEventsPerDecision,
  sessionErrorCodes,
  sessionStatus,
  SessionError,
  type SessionErrorCode,
  type SessionPolicy,
  type SessionState,
  type SessionStatus,
  type StepProgress,
} from './domain/session/index.js';
export {
  maxPageSize,
  sessionQueryErrorCodes,
  SessionQueries,
  SessionQueryError,
  type ListSessionsQuery,
  type SessionDetail,
  type SessionPage,
  type SessionQueryErrorCode,
  type SessionSummary,
} from './read-model/session-queries.js';
export { SessionsProjection } from './read-model/sessions-projection.js';
export {
  sessionsTables,
  type SessionPlan,
  type SessionRecord,
  type SessionStepRecord,
  type SessionsTables,
  type StepStatus,
} from './read-model/sessions-tables.js';
