export { ApprovalError, approvalErrorCodes, decideApproval, evolveApproval, initialApproval, mayDecide, type ApprovalErrorCode, type ApprovalState } from './domain/approval.js';
export { approvalIdFor, ApprovalRequests } from './approval-requests.js';
export { parseApprovalsConfig, type ApprovalsConfig } from './config.js';
export { startApprovals } from './service.js';
