export { GENAI_SCHEMA_URL, GENAI_SEMCONV_VERSION, genAi, genAiOperations, platformAttributes } from './semconv.js';
export { spanPlaceOf, taskKeyOfRun, type LoggedEvent, type SpanOperation, type SpanPlace } from './span-place.js';
export { providerOf, spanAttributes, spanName, toolAndOperation, usageAttributes, type SpanAttributes } from './attributes.js';
export { traceOfSession, type TraceSpan } from './trace-tree.js';
export { sessionSpanId, sessionTraceId, sessionTraceparent, stampedTraceparent, traceparentOf } from './span-ids.js';
export { startTracing, tracingWanted, type Tracing } from './setup.js';
export { inConsumerSpan, recordSessionSpans } from './spans.js';
export { SessionSpanRecorder } from './session-span-recorder.js';
export { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlp-receiver.js';
