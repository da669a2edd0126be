import {
  maxCountKeys,
  maxOperationItems,
  operationEvents,
  operationItemsPerChunk,
  otherCountKey,
  platformOperationTenantId,
  type AbortOperation,
  type CommandMetadata,
  type ConfirmOperation,
  type OperationCounts,
  type OperationEvent,
  type OperationItemRecord,
  type OperationScopeRecord,
  type PauseOperation,
  type ResumeOperation,
} from '@agent-orchestrator/contracts';
import type { OperationCommand, RecordItemOutcomes, RecordPlan } from './commands.js';
import { OperationError } from './errors.js';
import { evolve, unreachable, type OperationState, type PlannedOperation } from './state.js';

type DataOf<Type extends OperationEvent['type']> = Extract<OperationEvent, { type: Type }>['data'];
const latestVersion = new Map<string, number>(operationEvents.map((definition) => [definition.type, definition.versions.length]));

/**
 * Decides what a command means for an operation: the events to append, none when the command
 * has already had its effect (a redelivered pause), or an OperationError. Pure: time and event ids
 * come from the command's metadata; what the filter matched comes in RecordPlan.
 */
export function decide(command: OperationCommand, state: OperationState): OperationEvent[] {
  switch (command.type) {
    case 'RecordPlan':
      return recordPlan(command, state);
    case 'ConfirmOperation':
      return confirm(command, planned(state, command));
    case 'PauseOperation':
      return pause(command, planned(state, command));
    case 'ResumeOperation':
      return resume(command, planned(state, command));
    case 'AbortOperation':
      return abort(command, planned(state, command));
    case 'RecordItemOutcomes':
      return recordOutcomes(command, planned(state, command));
    default:
      return unreachable(command);
  }
}

/** The envelope tenant of an operation's events: the scope's tenant, or the platform's. */
export const tenantOfScope = (scope: OperationScopeRecord): string => (scope.kind === 'tenant' ? scope.tenantId : platformOperationTenantId);

function recordPlan(command: RecordPlan, state: OperationState): OperationEvent[] {
  // A redelivered plan finds its own plan: nothing more to decide.
  if (state.phase !== 'absent') return [];
  const { operationId, kind, filter, scope, rate, reason } = command.plan;
  const events = new Emitted(command.metadata, tenantOfScope(scope));
  const refuse = (why: string) => events.record('OperationPlanRefused', { operationId, kind, filter, scope, reason: why });
  if (command.match.kind === 'refused') {
    refuse(command.match.reason);
    return events.list;
  }
  const items = command.match.items;
  if (items.length > maxOperationItems) {
    refuse(`the filter matches ${items.length} items, more than the ${maxOperationItems} one operation may act on: narrow the filter (by consumer, code, tool, tenant, or a since/until window) and plan again`);
    return events.list;
  }
  const outside = scope.kind === 'tenant' ? items.find((item) => item.tenantId !== scope.tenantId) : undefined;
  if (outside !== undefined) {
    // A source bug, never the caller's: a tenant's operation must not reach another tenant's items.
    refuse(`a source matched item ${outside.itemId} of another tenant for a tenant's operation; nothing was planned`);
    return events.list;
  }
  const chunks = Math.ceil(items.length / operationItemsPerChunk);
  const counted = counts(items);
  events.record('OperationPlanned', {
    operationId,
    kind,
    filter,
    scope,
    rate: rate ?? command.defaultRate,
    ...(reason === undefined ? {} : { reason }),
    total: items.length,
    repeatsSideEffect: items.filter((item) => item.repeatsSideEffect).length,
    counts: counted,
    chunks,
  });
  for (let chunk = 0; chunk < chunks; chunk++) {
    events.record('OperationItemsMatched', { operationId, chunk, items: items.slice(chunk * operationItemsPerChunk, (chunk + 1) * operationItemsPerChunk) });
  }
  return events.list;
}

function confirm(command: ConfirmOperation, state: PlannedOperation): OperationEvent[] {
  if (state.phase !== 'planned') throw new OperationError('InvalidTransition', `operation ${command.operationId} is ${state.phase}: only a planned operation is confirmed, once`);
  if (state.plan.total === 0) throw new OperationError('NothingMatched', `operation ${command.operationId} matched nothing: there is nothing to run; plan again with another filter`);
  return new Emitted(command.metadata, state.plan.tenantId).record('OperationStarted', { operationId: command.operationId, rate: state.plan.rate }).list;
}

function pause(command: PauseOperation, state: PlannedOperation): OperationEvent[] {
  if (state.phase === 'paused') return [];
  if (state.phase !== 'running') throw new OperationError('InvalidTransition', `operation ${command.operationId} is ${state.phase}: only a running operation is paused`);
  return new Emitted(command.metadata, state.plan.tenantId).record('OperationPaused', { operationId: command.operationId }).list;
}

function resume(command: ResumeOperation, state: PlannedOperation): OperationEvent[] {
  if (state.phase === 'running') return [];
  if (state.phase !== 'paused') throw new OperationError('InvalidTransition', `operation ${command.operationId} is ${state.phase}: only a paused operation is resumed`);
  return new Emitted(command.metadata, state.plan.tenantId).record('OperationResumed', { operationId: command.operationId }).list;
}

function abort(command: AbortOperation, state: PlannedOperation): OperationEvent[] {
  if (state.phase === 'aborted') return [];
  if (state.phase === 'completed') throw new OperationError('InvalidTransition', `operation ${command.operationId} has completed: there is nothing left to abort`);
  const data = { operationId: command.operationId, ...(command.reason === undefined ? {} : { reason: command.reason }) };
  return new Emitted(command.metadata, state.plan.tenantId).record('OperationAborted', data).list;
}

/**
 * Outcomes arrive in plan order. One already recorded (the runner ran a batch again after a
 * restart) is passed over; any other than the next item without an outcome is refused. Items
 * acted on while a pause or an abort came in still get their outcome: they did happen. The
 * operation completes when the last item has one, unless it was aborted.
 */
function recordOutcomes(command: RecordItemOutcomes, state: PlannedOperation): OperationEvent[] {
  if (state.phase === 'planned' || state.phase === 'completed') throw new OperationError('InvalidTransition', `operation ${command.operationId} is ${state.phase}: no item of it is being acted on`);
  const events = new Emitted(command.metadata, state.plan.tenantId);
  let next = state.recorded;
  for (const outcome of command.outcomes) {
    const index = indexOf(state, outcome.itemId, next);
    if (index >= 0 && index < next) continue;
    if (index !== next) throw new OperationError('ItemOutOfOrder', `item ${outcome.itemId} of operation ${command.operationId} is not the next without an outcome (${state.items[next]?.itemId ?? 'none is left'})`);
    events.record('OperationItemExecuted', { operationId: command.operationId, itemId: outcome.itemId, outcome: outcome.outcome, ...(outcome.detail === undefined ? {} : { detail: outcome.detail }) });
    next++;
  }
  const after = events.state(state);
  if (after.recorded === after.plan.total && (after.phase === 'running' || after.phase === 'paused') && events.list.length > 0) {
    events.record('OperationCompleted', { operationId: command.operationId, succeeded: after.succeeded, failed: after.failed, skipped: after.skipped });
  }
  return events.list;
}

/** Where the item stands in the plan: the next one is checked first, the recorded ones only when it is not it. */
function indexOf(state: PlannedOperation, itemId: string, next: number): number {
  if (state.items[next]?.itemId === itemId) return next;
  for (let i = 0; i < next; i++) if (state.items[i]!.itemId === itemId) return i;
  return -1;
}

function planned(state: OperationState, command: Exclude<OperationCommand, RecordPlan>): PlannedOperation {
  const scope = command.type === 'RecordItemOutcomes' ? undefined : command.scope;
  if (state.phase === 'absent' || (scope !== undefined && !canActFor(scope, state.phase === 'refused' ? state.scope : state.plan.scope))) {
    throw new OperationError('OperationNotFound', `no operation ${command.operationId} was planned${scope?.kind === 'tenant' ? ` for tenant ${scope.tenantId}` : ''}`);
  }
  if (state.phase === 'refused') throw new OperationError('InvalidTransition', `operation ${command.operationId} was refused when planned (${state.reason}): plan another`);
  return state;
}

/** The platform admin acts on every operation; a tenant's caller on its tenant's only. */
const canActFor = (caller: OperationScopeRecord, owner: OperationScopeRecord): boolean => caller.kind === 'platform' || (owner.kind === 'tenant' && owner.tenantId === caller.tenantId);

function counts(items: readonly OperationItemRecord[]): OperationCounts {
  const by = (key: (item: OperationItemRecord) => string | null | undefined): Record<string, number> => {
    const tally = new Map<string, number>();
    for (const item of items) {
      const value = key(item);
      if (value !== undefined && value !== null) tally.set(value, (tally.get(value) ?? 0) + 1);
    }
    // The largest keys are kept; a long tail is added up, so the event stays small whatever matched.
    const sorted = [...tally].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const kept = Object.fromEntries(sorted.slice(0, maxCountKeys));
    const rest = sorted.slice(maxCountKeys).reduce((sum, [, n]) => sum + n, 0);
    return rest > 0 ? { ...kept, [otherCountKey]: rest } : kept;
  };
  return { byConsumer: by((i) => i.consumer), byCode: by((i) => i.code), byTool: by((i) => i.tool), byTenant: by((i) => i.tenantId) };
}

/** The events one command decides, stamped from its metadata with its event ids in order. */
class Emitted {
  readonly list: OperationEvent[] = [];

  constructor(
    private readonly metadata: CommandMetadata,
    private readonly tenantId: string,
  ) {}

  record<Type extends OperationEvent['type']>(type: Type, data: DataOf<Type>): this {
    const { eventIds, now, correlationId, causationId, actor, traceparent } = this.metadata;
    const eventId = eventIds[this.list.length];
    if (eventId === undefined) throw new OperationError('InvalidCommand', `the command decided more than the ${eventIds.length} event ids it carries`);
    this.list.push({ eventId, type, schemaVersion: latestVersion.get(type) ?? 1, tenantId: this.tenantId, correlationId, causationId, actor, occurredAt: now, traceparent, data } as OperationEvent);
    return this;
  }

  state(from: PlannedOperation): PlannedOperation {
    return this.list.reduce<OperationState>(evolve, from) as PlannedOperation;
  }
}
