// What runs in a browser too (the console's trace view): the pure rebuild of a session's trace from its events.
export { traceOfSession, type TraceSpan } from './trace-tree.js';
export type { LoggedEvent, SpanOperation } from './span-place.js';
export { GENAI_SEMCONV_VERSION, genAi, genAiOperations, platformAttributes } from './semconv.js';
