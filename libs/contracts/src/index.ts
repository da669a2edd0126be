export {
  actorSchema,
  comparePositions,
  envelopeSchema,
  newEventSchema,
  streamIdSchema,
  type Actor,
  type EventEnvelope,
  type GlobalPosition,
  type NewEvent,
} from './envelope.js';
export {
  commandTargets,
  commandTopicPartitions,
  deadLetterTopicPartitions,
  eventTopicPartitions,
  messageHeaders,
  topicNames,
  type CommandTarget,
  type TopicNames,
  type TopicSpec,
} from './topics.js';
export { parseStreamName, sessionStream, streamCategories, streamName, type StreamCategory } from './streams.js';
export { EventCatalog, defineEvent, type EventDefinition, type EventVersion, type ValidationResult } from './catalog/catalog.js';
export {
  BudgetExceeded,
  PlanProposed,
  PlanRequested,
  ReviewCompleted,
  ReviewRequested,
  ReworkRequested,
  SessionCancelled,
  SessionCompleted,
  SessionFailed,
  SessionStarted,
  StepCompleted,
  StepFailed,
  StepScheduled,
  planStepSchema,
  sessionConstraintsSchema,
  sessionEvents,
  usageSchema,
} from './catalog/session-events.js';
export { eventCatalog } from './catalog/event-catalog.js';
