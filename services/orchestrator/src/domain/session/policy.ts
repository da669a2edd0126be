/** How the orchestrator runs every session: agents to ask, retry limits and how long to wait. */
export interface SessionPolicy {
  readonly planner: string;
  readonly reviewer: string;
  /** Plan requests per session; a request unanswered by `planTimeoutMs` is asked again. */
  readonly maxPlanAttempts: number;
  /** Retries of a step after consecutive failures; a completion or a rework resets the count. */
  readonly maxStepRetries: number;
  /** Reworks per session; a review asking for one more fails the session. */
  readonly maxReworks: number;
  readonly planTimeoutMs: number;
  /** A scheduled step with no answer by then fails as retryable, and is retried per `maxStepRetries`. */
  readonly stepTimeoutMs: number;
  /** A review with no verdict by then fails the session. */
  readonly reviewTimeoutMs: number;
}

export const defaultSessionPolicy: SessionPolicy = {
  planner: 'Planner',
  reviewer: 'Reviewer',
  maxPlanAttempts: 3,
  maxStepRetries: 2,
  maxReworks: 2,
  planTimeoutMs: 5 * 60_000,
  stepTimeoutMs: 10 * 60_000,
  reviewTimeoutMs: 10 * 60_000,
};
