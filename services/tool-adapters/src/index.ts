export { ToolCalls, builtInAnswer, type ApprovalSettled, type PolicyDecision, type ToolCallRequest, type ToolCallsOptions } from './tool-calls.js';
export { HttpExecutor, type CallOutcome, type HttpExecutorOptions } from './execution/http-executor.js';
export { parseToolAdaptersConfig, type ToolAdaptersConfig } from './config.js';
export { startToolAdapters } from './service.js';
