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
  type StepProgress,
} from './domain/session/index.js';
export { parseOrchestratorConfig, type OrchestratorConfig } from './config.js';
export { startOrchestrator, type OrchestratorOptions } from './service.js';
export { parseRelayConfig, type RelayConfig } from './relay/config.js';
export { relaySubscriptionId, startRelayProcess } from './relay/relay-process.js';
export { hostProjections, startProjectionsProcess, type HostedProjections } from './projections/projection-host.js';
