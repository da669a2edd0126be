import { envelopeSchema, planStepSchema, sessionConstraintsSchema, sessionStatuses } from '@agent-orchestrator/contracts';
import { z } from 'zod';
import { instant } from '../http/answers.js';

/** The answers of the sessions routes, as the read models and the log give them (see sessions.ts). */

export const startedSession = z.object({ sessionId: z.string(), status: z.enum(sessionStatuses) });

const sessionFields = {
  sessionId: z.string(),
  tenantId: z.string(),
  status: z.enum(sessionStatuses),
  goal: z.string(),
  constraints: sessionConstraintsSchema,
  failureReason: z.string().nullable().describe('Why it ended without a result: the failure, the cancellation\'s reason, or a crossed budget.'),
  inputTokens: z.number(),
  outputTokens: z.number(),
  costUsd: z.number(),
  stepsTotal: z.number().int(),
  stepsCompleted: z.number().int(),
  reviewRound: z.number().int(),
  reworkCount: z.number().int(),
  startedAt: instant,
  updatedAt: instant.describe('When the latest applied event occurred.'),
  endedAt: instant.nullable(),
  lastStreamVersion: z.number().int().describe('The session stream version this view reflects.'),
  quarantinedEvents: z.number().int().describe('Events of this session the read model could not apply: above 0 the view may miss what they said.'),
  forkedFrom: z
    .object({ sessionId: z.string(), version: z.number().int() })
    .nullable()
    .describe('The session this one was forked from (POST /v1/sessions/{sessionId}/fork) and the version of its log the fork copied up to; null when it is not a fork.'),
};

const sessionStep = z.object({
  sessionId: z.string(),
  stepId: z.string(),
  tenantId: z.string(),
  title: z.string(),
  agent: z.string(),
  dependsOn: z.array(z.string()),
  status: z.enum(['pending', 'scheduled', 'completed', 'failed']),
  attempt: z.number().int(),
  output: z.unknown(),
  failureReason: z.string().nullable(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  costUsd: z.number(),
  scheduledAt: instant.nullable(),
  completedAt: instant.nullable(),
});

const sessionDetail = z.object({
  ...sessionFields,
  plan: z.object({ steps: z.array(planStepSchema), rationale: z.string().optional() }).nullable(),
  result: z.unknown(),
  steps: z.array(sessionStep),
});

/** A session the log has started but the read model has not seen yet. */
const queuedSession = z.object({ sessionId: z.string(), status: z.literal('queued'), goal: z.string(), startedAt: instant });

export const session = z.union([sessionDetail, queuedSession]);

export const sessionPage = z.object({
  items: z.array(z.object(sessionFields)),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page, with the same filters; null on the last page.'),
});

/** One event as stored: its envelope (the writer's part and where the store put it); `data` is the event's own fields, by type and schemaVersion. */
export const eventEnvelope = envelopeSchema.extend({
  // The store types data as unknown; every event's data is an object (the answer check holds the log to that).
  data: z.codec(z.unknown(), z.record(z.string(), z.unknown()), { decode: (data) => data as Record<string, unknown>, encode: (data) => data }),
});

export const eventPage = z.object({
  items: z.array(eventEnvelope),
  nextFromVersion: z.number().int().nullable().describe('Pass as `fromVersion` for the next page; null when this page reached the end of the log.'),
});

export const sessionStreamsAnswer = z.object({
  streams: z.array(
    z.object({
      streamId: z.string(),
      kind: z.enum(['session', 'agentRun', 'toolCall', 'policyCheck', 'approval']).describe('The session\'s own stream, an agent run, a tool call\'s answer, the policy\'s check of a call, or an approval.'),
      links: z.array(
        z.object({
          event: eventEnvelope.describe('The event as stored, at the schemaVersion it was written with (not upcast), so its hash can be recomputed.'),
          prevHash: z.string().nullable().describe('Hex SHA-256 of the previous event of the stream; null for its first.'),
          hash: z.string().describe('Hex SHA-256( prevHash bytes || streamVersion as int64 big-endian || UTF-8 of the RFC 8785 canonical JSON of the event without streamVersion and globalPosition ).'),
        }),
      ),
    }),
  ),
  truncated: z.boolean().describe('True when the session had more streams than one answer holds; the first ones are given.'),
});

export const modelCalls = z.object({
  items: z.array(
    z.object({
      eventId: z.string(),
      tenantId: z.string(),
      sessionId: z.string(),
      runId: z.string().describe('`<session>.plan.<n>`, `<session>.step.<step>.<n>` or `<session>.review.<n>`.'),
      turn: z.number().int(),
      model: z.string(),
      inputTokens: z.number(),
      outputTokens: z.number(),
      costUsd: z.number(),
      respondedAt: instant,
      globalPosition: z.string(),
    }),
  ),
});

export const cancelledSession = z.object({ sessionId: z.string() });

const statusCount = z.number().int().min(0);
export const sessionSummary = z.object({
  byStatus: z
    .object(Object.fromEntries(sessionStatuses.map((status) => [status, statusCount])) as Record<(typeof sessionStatuses)[number], typeof statusCount>)
    .describe('Every status, 0 when no session is in it. A session just started and not yet in the read model is not counted yet.'),
  total: statusCount,
});
