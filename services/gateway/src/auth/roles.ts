export { isRole, roles, type Role } from '@agent-orchestrator/contracts';
