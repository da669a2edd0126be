export {
  maxGoalSearchLength,
  maxPageSize,
  sessionQueryErrorCodes,
  SessionQueries,
  SessionQueryError,
  type ListSessionsQuery,
  type SessionDetail,
  type SessionPage,
  type SessionQueryErrorCode,
  type SessionSummary,
} from './sessions/session-queries.js';
export { ModelCallQueries, ModelCallsProjection, modelCallsTable, type ModelCallRecord } from './model-calls/model-calls.js';
export { SessionsProjection } from './sessions/sessions-projection.js';
export {
  sessionsTables,
  type SessionPlan,
  type SessionRecord,
  type SessionStepRecord,
  type SessionsTables,
  type StepStatus,
} from './sessions/sessions-tables.js';
export { openReadModels, type ReadModels } from './read-models.js';
export { ApprovalsProjection, approvalsTableName, type ApprovalRecord, type ApprovalStatus } from './approvals/approvals.js';
export { ApprovalQueries, type ListApprovalsQuery } from './approvals/approval-queries.js';
export { ParkedCallQueries, ParkedCallsProjection, parkedCallsTableName, type ParkedCallRecord, type ParkedCallStatus } from './parked-calls/parked-calls.js';
export { TenantStatusesProjection, TenantStatusQueries, tenantStatusChange, type SessionOutOfStep } from './tenants/tenant-statuses.js';
export { DeadLetterIndex, deadLetterSources, deadLetterStatuses, deadLettersTableName, type DeadLetterEntry, type DeadLetterSource, type DeadLetterStatus } from './dead-letters/dead-letters.js';
export {
  DeadLetterQueries,
  type DeadLetterFilter,
  type DeadLetterMessage,
  type DeadLetterPage,
  type DeadLetterRecord,
  type DeadLetterScope,
} from './dead-letters/dead-letter-queries.js';
export { OperationsProjection, migrateOperationsTables, operationsTables } from './operations/operations-projection.js';
export { OperationQueries, type OperationItemRow, type OperationRecord, type OperationStatus, type SqlReader } from './operations/operation-queries.js';
export { UsageProjection, unknownAgent } from './usage/usage-projection.js';
export { UsageQueries, usageGroupings, type UsageGrouping, type UsageReport, type UsageRow, type UsageScope, type UsageTotals } from './usage/usage-queries.js';
export { DashboardQueries, type Dashboard, type RankedByCost, type RankedByFailures } from './usage/dashboard-queries.js';
export { migrateUsageTables, usageTables, type UsageTables } from './usage/usage-tables.js';
export { AlertQueries, AlertsProjection, alertsTableName, type AlertRecord, type AlertStatus } from './alerts/alerts.js';
