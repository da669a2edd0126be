export { ToolCalls, builtInAnswer, type ApprovalSettled, type PolicyDecision, type ToolCallRequest, type ToolCallsOptions } from './tool-calls.js';
export { HttpExecutor, executorOptionsFrom, type CallOutcome, type HttpExecutorOptions } from './execution/http-executor.js';
export { startToolAdapters } from './service.js';
