import { randomUUID } from 'node:crypto';
import { policyStream, sessionIdSchema, sessionStream, type ForkOverrides, type SessionCommand } from '@agent-orchestrator/contracts';
import type { Principal } from '../auth/access.guard.js';
import { commandMetadata, pollFor, sendCommand } from '../commands.js';
import { GatewayError } from '../errors.js';
import type { Agents } from '../agents/agents.js';
import type { SessionsBackend } from './sessions.js';

export interface ForkRequest {
  readonly atVersion: number;
  readonly modelScript?: unknown;
  readonly modelFixture?: string;
  /** `<name>@<version>`: one of the tenant's agent definitions, pinned in the fork. */
  readonly agent?: string;
  readonly model?: string;
  /** A version of the tenant's tool policy the fork's calls are checked against. */
  readonly policyVersion?: number;
}

const endings: ReadonlySet<string> = new Set(['SessionCompleted', 'SessionFailed', 'SessionCancelled']);

/**
 * Sends ForkSession for one of the caller's sessions and answers once the fork is in the log. The
 * version is checked against the original's log here, so a bad one is a 400 with the range
 * instead of a dead letter: from 0 (SessionStarted) to the last version before it ended.
 */
export async function forkSession(backend: SessionsBackend, agents: Agents, caller: Principal, sessionId: string, request: ForkRequest): Promise<{ sessionId: string }> {
  const { tenantId } = caller;
  // An id no session can have names none; another tenant's session reads exactly like one that does not exist.
  const original = sessionIdSchema.safeParse(sessionId).success ? await backend.store.readStream(sessionStream(sessionId)) : [];
  if (original[0]?.tenantId !== tenantId) throw new GatewayError('NotFound', `Your tenant has no session ${sessionId}.`);
  const ending = original.find((event) => endings.has(event.type));
  const last = ending === undefined ? original[original.length - 1]!.streamVersion : ending.streamVersion - 1;
  const { atVersion } = request;
  if (atVersion < 0 || atVersion > last) {
    const why = ending === undefined ? `its log holds versions 0 to ${last}` : `it ended at version ${ending.streamVersion} (${ending.type}), so a fork starts from a version 0 to ${last}`;
    throw new GatewayError('InvalidRequest', `Version ${atVersion} is outside session ${sessionId}: ${why}.`);
  }
  const overrides = await overridesOf(backend, agents, tenantId, request);
  const forkId = randomUUID();
  const commandId = randomUUID();
  const command: SessionCommand = { type: 'ForkSession', sessionId: forkId, from: { sessionId, version: atVersion }, overrides, metadata: commandMetadata(caller, forkId, commandId) };
  await sendCommand(backend.producer, backend.topics.commands('orchestrator'), sessionStream(forkId), { commandId, command });
  // As a start does: answer once the fork is in the log, so a client can read it straight away.
  await pollFor(async () => (await backend.store.readStream(sessionStream(forkId), { maxCount: 1 }))[0], backend.startConfirmMs ?? 3000);
  return { sessionId: forkId };
}

async function overridesOf(backend: SessionsBackend, agents: Agents, tenantId: string, request: ForkRequest): Promise<ForkOverrides> {
  const { modelScript, modelFixture, agent, model, policyVersion } = request;
  if (policyVersion !== undefined) {
    const versions = await backend.store.readStream(policyStream(tenantId));
    if (!versions.some((event) => event.type === 'PolicyUpdated' && (event.data as { version: number }).version === policyVersion)) {
      throw new GatewayError('InvalidRequest', `Your tenant's policy has no version ${policyVersion}: GET /v1/policies/versions lists them.`);
    }
  }
  if (modelScript !== undefined && modelFixture !== undefined) throw new GatewayError('InvalidRequest', 'Set modelScript or modelFixture, not both.');
  let agentVersions: Record<string, number> | undefined;
  if (agent !== undefined) {
    const [name = '', version = ''] = agent.split('@');
    const pinned = (await agents.registry(tenantId)).version(name, Number(version));
    if (pinned === undefined) throw new GatewayError('InvalidRequest', `Your tenant has no agent ${name} at version ${version}: see GET /v1/agents/${name}.`);
    agentVersions = { [name]: Number(version) };
  }
  return {
    ...(modelScript === undefined ? {} : { modelScript }),
    ...(modelFixture === undefined ? {} : { modelFixture }),
    ...(agentVersions === undefined ? {} : { agentVersions }),
    ...(model === undefined ? {} : { model }),
    ...(policyVersion === undefined ? {} : { policyVersion }),
  };
}
