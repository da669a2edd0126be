export { planRequested, planRequestedBatch, uniqueStream } from './events.js';
export { collectMessages, testBrokers, testKafka, uniqueTopicPrefix, type CollectedMessage } from './kafka.js';
export { createTestDatabase, createTestSchema, defaultTestDatabaseUrl, tenantDatabaseAt, testDatabaseUrl, type TestSchema } from './postgres.js';
export { startDevModeProcess, type DevModeProcess } from './dev-mode.js';
export { spawnFixture, type RunningFixture } from './processes.js';
export { waitFor } from './wait-for.js';
export { startMcpNotesServer, type McpNotesServer, type McpNotesServerOptions } from './mcp-server.js';
export { startSwitchableToolServer, type SwitchableToolServer } from './switchable-tool-server.js';
export { ledgerDocument, startLedger, type Ledger, type LedgerCounts } from './ledger-tool-server.js';
