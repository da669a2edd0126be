import { z } from 'zod';
import { budgetIdSchema } from './budget-events.js';
import { defineEvent, type EventOf } from './catalog.js';
import { sessionIdSchema, usageSchema } from './session-events.js';

/*
 * "Analyze with an LLM": an Analyst agent reads a session's redacted trace and says what happened,
 * where time and money went, why it failed and what to change. Every analysis of a session is on
 * the session's own `analysis-<sessionId>` stream, owned by agent-runtime: its start (with the
 * exact input the model was given, so what the model saw can be checked), then its findings or
 * why it failed, each with the model's usage and cost so usage and budgets count it, or its
 * refusal, when the model call would cross a budget and was not made.
 */

export const analysisIdSchema = z.uuid();
const text = (max: number) => z.string().min(1).max(max);

/**
 * The id an analysis's model call goes by where a run's id would: its budget reservations, and its
 * row in the usage read model, beside the session's runs (`<sessionId>.step.<stepId>.<attempt>`).
 */
export const analysisRunId = (sessionId: string, analysisId: string): string => `${sessionId}.analysis.${analysisId}`;

/** The most characters of trace an Analyst is given; a longer trace is summarised to fit (see `summarised`). */
export const maxAnalysisInputChars = 24_000;

/** What an Analyst answers: the schema its structured output is validated by. */
export const analysisFindingsSchema = z.strictObject({
  outcome: z.enum(['completed', 'failed', 'cancelled', 'running', 'unknown']).describe('how the session ended, as the trace shows it'),
  whatHappened: text(4000).describe('what the session did, in order, in a few sentences'),
  timeAndMoney: z
    .strictObject({
      summary: text(2000).describe('where time and money went'),
      hotspots: z
        .array(
          z.strictObject({
            what: text(300).describe('a run, step or tool call'),
            durationMs: z.number().int().min(0).nullable(),
            costUsd: z.number().min(0).nullable(),
            tokens: z.number().int().min(0).nullable(),
          }),
        )
        .max(10),
    })
    .describe('the costliest and slowest parts'),
  failure: z
    .strictObject({
      cause: text(2000).describe('why it failed, naming what refused or broke'),
      evidence: z.array(text(500)).max(10).describe('the events that show it'),
    })
    .nullable()
    .describe('null when the session did not fail'),
  recommendations: z.array(text(1000)).min(1).max(10).describe('what to change'),
});
export type AnalysisFindings = z.infer<typeof analysisFindingsSchema>;

/** The input an Analyst was given: exactly the text the model saw, and how much of the trace it covers. */
export const analysisInputSchema = z.strictObject({
  text: z.string().min(1).max(maxAnalysisInputChars),
  /** Events in the session's trace, and how many of them are shown one by one. */
  events: z.number().int().min(0),
  shown: z.number().int().min(0),
  /** True when events were folded into counts to fit; the input says so too. */
  summarised: z.boolean(),
});

const model = z.string().min(1).max(200);

export const SessionAnalysisStarted = defineEvent('SessionAnalysisStarted', [
  { schema: z.strictObject({ analysisId: analysisIdSchema, sessionId: sessionIdSchema, analyst: text(64), model, input: analysisInputSchema }) },
]);

export const SessionAnalysisRecorded = defineEvent('SessionAnalysisRecorded', [
  { schema: z.strictObject({ analysisId: analysisIdSchema, sessionId: sessionIdSchema, model, findings: analysisFindingsSchema, usage: usageSchema }) },
]);

/** No findings: the model failed, or answered with something the schema refused. Usage is what was spent all the same. */
export const SessionAnalysisFailed = defineEvent('SessionAnalysisFailed', [
  { schema: z.strictObject({ analysisId: analysisIdSchema, sessionId: sessionIdSchema, model, reason: text(4000), usage: usageSchema }) },
]);

/**
 * No findings and no model call: the Analyst's call would cross a budget of the tenant (its own,
 * or the Analyst agent's), named with why, as a run's call would be refused.
 */
export const SessionAnalysisRefused = defineEvent('SessionAnalysisRefused', [
  { schema: z.strictObject({ analysisId: analysisIdSchema, sessionId: sessionIdSchema, model, budgetId: budgetIdSchema, reason: text(4000) }) },
]);

export const analysisEvents = [SessionAnalysisStarted, SessionAnalysisRecorded, SessionAnalysisFailed, SessionAnalysisRefused] as const;
export type AnalysisEvent = EventOf<(typeof analysisEvents)[number]>;
