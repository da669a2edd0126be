export { OperationClient, exitCodeOf, type OperationAction, type OperationItem, type OperationPlanRequest, type OperationRecord } from './operation-client.js';
export { follow, runOperation, type RunOptions, type Terminal } from './run-operation.js';
export { processTerminal, registerOperationsCommands } from './operations-command.js';
