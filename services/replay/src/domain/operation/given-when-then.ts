import { eventCatalog, replayCommandSchema, type CommandMetadata, type OperationEvent, type OperationItemRecord, type OperationScopeRecord } from '@agent-orchestrator/contracts';
import type { ItemOutcomeRecord, OperationCommand } from './commands.js';
import { decide } from './decide.js';
import type { OperationErrorCode } from './errors.js';
import { evolve, initialState, type OperationState } from './state.js';

/**
 * Decider specs read as: given these events in the log, when this command arrives, then these
 * events are decided (or this error). `then` compares type and data, and checks that every decided
 * event is valid in the catalog and stamped from the command's metadata.
 */
export function given(...history: OperationEvent[]) {
  return {
    when(command: OperationCommand) {
      // A command a test builds from the wire must be one the gateway could send.
      if (command.type !== 'RecordPlan' && command.type !== 'RecordItemOutcomes') {
        const parsed = replayCommandSchema.safeParse(command);
        if (!parsed.success) throw new Error(`the spec's command is not a valid ${command.type}: ${parsed.error.message}`);
      }
      const state = stateAfter(...history);
      const run = () => decide(command, state);
      return {
        then(...expected: Pick<OperationEvent, 'type' | 'data'>[]): OperationEvent[] {
          const decided = run();
          expect(decided.map(typeAndData)).toEqual(expected.map(typeAndData));
          decided.forEach((event, index) => {
            expect(eventCatalog.validateNewEvent(event)).toEqual({ ok: true });
            expect(event).toMatchObject({ occurredAt: command.metadata.now, actor: command.metadata.actor, eventId: command.metadata.eventIds[index] });
          });
          return decided;
        },
        thenNothing(): void {
          expect(run()).toEqual([]);
        },
        thenError(code: OperationErrorCode, message: RegExp): void {
          let thrown: unknown;
          try {
            run();
          } catch (error) {
            thrown = error;
          }
          const { code: thrownCode, message: thrownMessage } = (thrown ?? {}) as { code?: unknown; message?: unknown };
          expect({ code: thrownCode, message: thrownMessage }).toEqual({ code, message: expect.stringMatching(message) });
        },
      };
    },
  };
}

const typeAndData = ({ type, data }: Pick<OperationEvent, 'type' | 'data'>) => ({ type, data });

export const stateAfter = (...history: OperationEvent[]): OperationState => history.reduce(evolve, initialState());

export const operationId = '7d3e2f10-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
export const acme: OperationScopeRecord = { kind: 'tenant', tenantId: 'acme' };
export const globex: OperationScopeRecord = { kind: 'tenant', tenantId: 'globex' };
export const platform: OperationScopeRecord = { kind: 'platform' };
const eventIds = Array.from({ length: 1000 }, (_, i) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`);
const sre = { kind: 'user', id: 'sre@acme.example' } as const;

export function metadata(tenantId = 'acme'): CommandMetadata {
  return { now: '2026-11-29T11:40:00.000Z', eventIds, tenantId, correlationId: `operation-${operationId}`, causationId: 'cmd-1', actor: sre, traceparent: null };
}

export function item(n: number, overrides: Partial<OperationItemRecord> = {}): OperationItemRecord {
  return { itemId: `dl-${n}`, source: 'dead-letter', tenantId: 'acme', consumer: 'tool-adapters.events', code: 'timeout', tool: 'crm', repeatsSideEffect: n % 2 === 0, label: `dead letter ${n}`, ...overrides };
}

/** An operation's event as the log holds it; only type, data and tenant matter to the decider. */
export function event<Type extends OperationEvent['type']>(type: Type, data: Extract<OperationEvent, { type: Type }>['data'], tenantId = 'acme'): OperationEvent {
  return { eventId: '00000000-0000-4000-8000-ffffffffffff', type, schemaVersion: 1, tenantId, correlationId: `operation-${operationId}`, causationId: null, actor: sre, occurredAt: '2026-11-29T11:39:00.000Z', traceparent: null, data } as OperationEvent;
}

/** The plan's events for these items, as RecordPlan decides them (one chunk for up to 250). */
export function plannedWith(items: readonly OperationItemRecord[], scope: OperationScopeRecord = acme): OperationEvent[] {
  const tenantId = scope.kind === 'tenant' ? scope.tenantId : 'platform';
  const tally = (key: (i: OperationItemRecord) => string | null | undefined) =>
    items.reduce<Record<string, number>>((acc, i) => {
      const k = key(i);
      return k === undefined || k === null ? acc : { ...acc, [k]: (acc[k] ?? 0) + 1 };
    }, {});
  const planned = event(
    'OperationPlanned',
    {
      operationId,
      kind: 'redrive',
      filter: { tool: 'crm' },
      scope,
      rate: 50,
      total: items.length,
      repeatsSideEffect: items.filter((i) => i.repeatsSideEffect).length,
      counts: { byConsumer: tally((i) => i.consumer), byCode: tally((i) => i.code), byTool: tally((i) => i.tool), byTenant: tally((i) => i.tenantId) },
      chunks: items.length === 0 ? 0 : 1,
    },
    tenantId,
  );
  return items.length === 0 ? [planned] : [planned, event('OperationItemsMatched', { operationId, chunk: 0, items: [...items] }, tenantId)];
}

export const executed = (itemId: string, outcome: ItemOutcomeRecord['outcome'] = 'succeeded') => event('OperationItemExecuted', { operationId, itemId, outcome });
export const started = () => event('OperationStarted', { operationId, rate: 50 });

export const command = {
  plan: (items: readonly OperationItemRecord[], scope: OperationScopeRecord = acme) =>
    ({ type: 'RecordPlan', plan: { type: 'PlanOperation', operationId, kind: 'redrive', filter: { tool: 'crm' }, rate: 50, scope, metadata: metadata() }, match: { kind: 'matched', items }, defaultRate: 100, metadata: metadata() }) as const,
  confirm: (scope: OperationScopeRecord = acme) => ({ type: 'ConfirmOperation', operationId, scope, metadata: metadata() }) as const,
  pause: (scope: OperationScopeRecord = acme) => ({ type: 'PauseOperation', operationId, scope, metadata: metadata() }) as const,
  resume: (scope: OperationScopeRecord = acme) => ({ type: 'ResumeOperation', operationId, scope, metadata: metadata() }) as const,
  abort: (reason?: string, scope: OperationScopeRecord = acme) => ({ type: 'AbortOperation', operationId, scope, ...(reason === undefined ? {} : { reason }), metadata: metadata() }) as const,
  outcomes: (...outcomes: ItemOutcomeRecord[]) => ({ type: 'RecordItemOutcomes', operationId, outcomes, metadata: metadata() }) as const,
};
