export { metricNames, operationDurationBuckets, sessionDurationBuckets, stepDurationBuckets, tokenUsageBuckets, type StepOutcome, type ToolCallOutcome } from './families.js';
export { defaultLabelCaps, LabelCaps, otherLabelValue, type CappedLabel, type LabelCapLimits } from './label-caps.js';
export { PlatformMetrics, processMetrics, type ModelCallObservation, type PlatformMetricsOptions } from './platform-metrics.js';
export { readLiveSessions, readPendingApprovals, readPendingDeadLetters, watchReadModels } from './read-model-gauges.js';
export type { DeadLetterCount, PendingApprovals, ReadinessSample, ScrapeSources, SessionCount, SourceName } from './scrape-gauges.js';
