import {
  agentRunIdsOf,
  agentRunStream,
  approvalStream,
  policyCheckStream,
  sessionStream,
  toolCallIdsOf,
  toolCallStream,
} from '@agent-orchestrator/contracts';
import type { ChainLink, EventStore } from '@agent-orchestrator/event-store';
import type { ApprovalQueries } from '@agent-orchestrator/read-models';

export type SessionStreamKind = 'session' | 'agentRun' | 'toolCall' | 'policyCheck' | 'approval';

export interface SessionStreamLinks {
  readonly streamId: string;
  readonly kind: SessionStreamKind;
  readonly links: readonly ChainLink[];
}

/** Enough for any session a person reads in a browser; past it the answer says it was cut short. */
export const maxSessionStreams = 400;

/**
 * Every stream a session's work was written to, each as stored with its hash links: the session's
 * own, then each agent run it asked for (plan attempts, step attempts, review rounds), each tool
 * call those runs made with the policy's check of it, and the approvals that held them. Runs are
 * found from the session's events and calls from the runs' events, since stream names are derived
 * from both (see agentRunId, toolCallStream); approvals from the approvals read model, whose ids
 * are not derivable outside the approvals service.
 */
export async function sessionStreams(store: EventStore, approvals: ApprovalQueries, tenantId: string, sessionId: string): Promise<{ streams: SessionStreamLinks[]; truncated: boolean }> {
  const streams: SessionStreamLinks[] = [];
  let truncated = false;
  const read = async (streamId: string, kind: SessionStreamKind): Promise<readonly ChainLink[]> => {
    if (streams.length >= maxSessionStreams) {
      truncated = true;
      return [];
    }
    const links: ChainLink[] = [];
    for await (const link of store.readChain(streamId)) links.push(link);
    // A stream of another tenant (never expected: ids derive from this tenant's session) is left out.
    if (links.length > 0 && links.every((link) => link.event.tenantId === tenantId)) streams.push({ streamId, kind, links });
    return links;
  };

  const session = await read(sessionStream(sessionId), 'session');
  for (const runId of agentRunIdsOf(sessionId, session.map((link) => link.event))) {
    const run = await read(agentRunStream(runId), 'agentRun');
    for (const callId of toolCallIdsOf(run.map((link) => link.event))) {
      await read(policyCheckStream(runId, callId), 'policyCheck');
      await read(toolCallStream(runId, callId), 'toolCall');
    }
  }
  const held = await approvals.list(tenantId, { sessionId, limit: maxSessionStreams });
  for (const approval of held.reverse()) await read(approvalStream(approval.approvalId), 'approval');
  return { streams, truncated };
}
