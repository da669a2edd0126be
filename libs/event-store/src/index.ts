export { eventIdsFor, handleCommand, type CommandHandlerOptions, type Decider, type HandledCommand } from './command-handler.js';
export { attachmentRefOf, checkAttachment, type AttachmentLookup, type AttachmentRef } from './attachments.js';
export { EventStoreError, isEventStoreError, type EventStoreErrorCode } from './errors.js';
export { canonicalContent, chainHash, verifyChain, type ChainHead, type ChainLink, type ChainProblem, type ChainReport } from './hash-chain.js';
export { maxEventBytes } from './validate-batch.js';
export type {
  AppendOptions,
  AppendResult,
  CheckpointStore,
  EventStore,
  ExpectedVersion,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeOptions,
  Subscription,
} from './port.js';
export { KurrentDbEventStore, type KurrentDbEventStoreOptions } from './kurrentdb/kurrentdb-event-store.js';
export { PostgresEventStore, type PostgresEventStoreOptions } from './postgres/postgres-event-store.js';
