/**
 * The metric families every process registers, by name. Two follow OpenTelemetry's GenAI
 * semantic conventions (the metric names and attribute names as Prometheus spells them: dots
 * become underscores, so `gen_ai.token.type` is `gen_ai_token_type`), with their advised bucket
 * boundaries; the rest are the platform's own, prefixed `agent_orchestrator_`.
 */
export const metricNames = {
  tokenUsage: 'gen_ai_client_token_usage',
  operationDuration: 'gen_ai_client_operation_duration_seconds',
  costUsd: 'agent_orchestrator_cost_usd_total',
  sessions: 'agent_orchestrator_sessions',
  sessionDuration: 'agent_orchestrator_session_duration_seconds',
  stepDuration: 'agent_orchestrator_step_duration_seconds',
  toolCalls: 'agent_orchestrator_tool_calls_total',
  approvalsPending: 'agent_orchestrator_approvals_pending',
  oldestPendingApprovalAge: 'agent_orchestrator_approval_oldest_pending_age_seconds',
  deadLetters: 'agent_orchestrator_dead_letters',
  consumerLag: 'agent_orchestrator_consumer_lag',
  projectionLag: 'agent_orchestrator_projection_lag',
  quarantinedEvents: 'agent_orchestrator_quarantined_events',
  sourceErrors: 'agent_orchestrator_metrics_source_errors_total',
} as const;

/** `gen_ai.client.token.usage`'s advised boundaries (powers of 4). */
export const tokenUsageBuckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

/** `gen_ai.client.operation.duration`'s advised boundaries, in seconds. */
export const operationDurationBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

/** A step is one agent run: a scripted one ends in milliseconds, a live one with approvals in minutes. */
export const stepDurationBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

/** A session runs from its start to its end, approvals waited on included. */
export const sessionDurationBuckets = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400];

/** The outcomes a tool call's answer records (ToolCallCompleted, ToolCallFailed, ToolCallParked). */
export type ToolCallOutcome = 'completed' | 'failed' | 'parked';

/** How a step's attempt ended (StepCompleted or StepFailed). */
export type StepOutcome = 'completed' | 'failed';
