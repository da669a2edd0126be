import { maxCountKeys, maxOperationItems, operationItemsPerChunk, otherCountKey, type OperationEvent } from '@agent-orchestrator/contracts';
import { decide } from './decide.js';
import { acme, command, event, executed, given, globex, item, operationId, platform, plannedWith, started, stateAfter } from './given-when-then.js';

const three = [item(1), item(2), item(3)];
const running = () => [...plannedWith(three), started()];

describe('planning (the dry run)', () => {
  it('records the plan with its counts, then the matched items exactly', () => {
    given()
      .when(command.plan(three))
      .then(
        {
          type: 'OperationPlanned',
          data: {
            operationId,
            kind: 'redrive',
            filter: { tool: 'crm' },
            scope: acme,
            rate: 50,
            total: 3,
            repeatsSideEffect: 1,
            counts: { byConsumer: { 'tool-adapters.events': 3 }, byCode: { timeout: 3 }, byTool: { crm: 3 }, byTenant: { acme: 3 } },
            chunks: 1,
          },
        },
        { type: 'OperationItemsMatched', data: { operationId, chunk: 0, items: three } },
      );
  });

  it('takes the default rate when the plan names none', () => {
    const plan = command.plan(three);
    const [planned] = decide({ ...plan, plan: { ...plan.plan, rate: undefined } as never, defaultRate: 100 }, stateAfter());
    expect(planned?.data).toMatchObject({ rate: 100 });
  });

  it('splits many items into chunks that each fit in an event, in order', () => {
    const items = Array.from({ length: operationItemsPerChunk * 2 + 1 }, (_, i) => item(i));
    const decided = decide(command.plan(items), stateAfter());
    const chunks = decided.filter((e) => e.type === 'OperationItemsMatched').map((e) => e.data as { chunk: number; items: unknown[] });
    expect(chunks.map((c) => [c.chunk, c.items.length])).toEqual([[0, 250], [1, 250], [2, 1]]);
    expect(chunks.flatMap((c) => c.items)).toEqual(items);
    expect(stateAfter(...decided)).toMatchObject({ phase: 'planned', items, recorded: 0 });
  });

  it('records a plan that matched nothing, which cannot be confirmed', () => {
    const [planned] = decide(command.plan([]), stateAfter());
    expect(planned).toMatchObject({ type: 'OperationPlanned', data: { total: 0, chunks: 0 } });
    given(planned!).when(command.confirm()).thenError('NothingMatched', /matched nothing/);
  });

  it('refuses a match larger than one operation may act on, and says to narrow the filter', () => {
    const items = Array.from({ length: maxOperationItems + 1 }, (_, i) => item(i));
    given()
      .when(command.plan(items))
      .then({ type: 'OperationPlanRefused', data: { operationId, kind: 'redrive', filter: { tool: 'crm' }, scope: acme, reason: expect.stringMatching(/20001 items.*narrow the filter/) as unknown as string } });
  });

  it('refuses when a source matched another tenant\'s item for a tenant\'s operation', () => {
    given()
      .when(command.plan([item(1), item(2, { tenantId: 'globex' })]))
      .then({ type: 'OperationPlanRefused', data: { operationId, kind: 'redrive', filter: { tool: 'crm' }, scope: acme, reason: expect.stringMatching(/another tenant/) as unknown as string } });
  });

  it('records a platform operation over several tenants under the platform tenant', () => {
    const decided = decide(command.plan([item(1), item(2, { tenantId: 'globex' }), item(3, { tenantId: null })], platform), stateAfter());
    expect(decided.map((e) => e.tenantId)).toEqual(['platform', 'platform']);
    expect(decided[0]?.data).toMatchObject({ counts: { byTenant: { acme: 1, globex: 1 } } });
  });

  it('adds up the long tail of a count under one key', () => {
    const items = Array.from({ length: maxCountKeys + 5 }, (_, i) => item(i, { tool: `tool-${String(i).padStart(3, '0')}` }));
    const [planned] = decide(command.plan(items), stateAfter());
    const byTool = (planned!.data as { counts: { byTool: Record<string, number> } }).counts.byTool;
    expect(Object.keys(byTool)).toHaveLength(maxCountKeys + 1);
    expect(byTool[otherCountKey]).toBe(5);
  });

  it('passes over a redelivered plan', () => {
    given(...plannedWith(three)).when(command.plan(three)).thenNothing();
  });

  it('records the refusal a source gave', () => {
    const plan = { ...command.plan([]), match: { kind: 'refused', reason: 'no source takes operations of kind redrive' } } as const;
    given().when(plan).then({ type: 'OperationPlanRefused', data: { operationId, kind: 'redrive', filter: { tool: 'crm' }, scope: acme, reason: 'no source takes operations of kind redrive' } });
  });
});

describe('confirming', () => {
  it('starts a planned operation at its rate', () => {
    given(...plannedWith(three)).when(command.confirm()).then({ type: 'OperationStarted', data: { operationId, rate: 50 } });
  });

  it('confirms once', () => {
    given(...running()).when(command.confirm()).thenError('InvalidTransition', /is running: only a planned operation is confirmed, once/);
  });

  it('knows no operation that was never planned', () => {
    given().when(command.confirm()).thenError('OperationNotFound', /no operation/);
  });

  it('answers another tenant as if the operation did not exist', () => {
    given(...plannedWith(three)).when(command.confirm(globex)).thenError('OperationNotFound', /for tenant globex/);
  });

  it('lets the platform admin confirm a tenant\'s operation, recorded under that tenant', () => {
    const [started] = given(...plannedWith(three)).when(command.confirm(platform)).then({ type: 'OperationStarted', data: { operationId, rate: 50 } });
    expect(started?.tenantId).toBe('acme');
  });

  it('refuses a tenant an operation of the platform', () => {
    given(...plannedWith(three, platform)).when(command.confirm(acme)).thenError('OperationNotFound', /no operation/);
  });

  it('refuses to confirm a refused plan', () => {
    given(event('OperationPlanRefused', { operationId, kind: 'discard', filter: {}, scope: acme, reason: 'too many' })).when(command.confirm()).thenError('InvalidTransition', /was refused/);
  });
});

describe('pause, resume, abort', () => {
  it('pauses only a running operation', () => {
    given(...running()).when(command.pause()).then({ type: 'OperationPaused', data: { operationId } });
    given(...plannedWith(three)).when(command.pause()).thenError('InvalidTransition', /is planned: only a running operation is paused/);
  });

  it('passes over a second pause', () => {
    given(...running(), event('OperationPaused', { operationId })).when(command.pause()).thenNothing();
  });

  it('resumes only a paused operation', () => {
    given(...running(), event('OperationPaused', { operationId })).when(command.resume()).then({ type: 'OperationResumed', data: { operationId } });
    given(...running()).when(command.resume()).thenNothing();
    given(...plannedWith(three)).when(command.resume()).thenError('InvalidTransition', /only a paused operation is resumed/);
  });

  it('aborts a planned, running or paused operation, with the reason', () => {
    given(...plannedWith(three)).when(command.abort()).then({ type: 'OperationAborted', data: { operationId } });
    given(...running()).when(command.abort('the crm is down again')).then({ type: 'OperationAborted', data: { operationId, reason: 'the crm is down again' } });
    given(...running(), event('OperationPaused', { operationId })).when(command.abort()).then({ type: 'OperationAborted', data: { operationId } });
  });

  it('aborts for good: no resume after it, a second abort changes nothing', () => {
    const aborted = [...running(), event('OperationAborted', { operationId })];
    given(...aborted).when(command.resume()).thenError('InvalidTransition', /is aborted/);
    given(...aborted).when(command.abort()).thenNothing();
  });

  it('has nothing to abort once completed', () => {
    given(...running(), executed('dl-1'), executed('dl-2'), executed('dl-3'), event('OperationCompleted', { operationId, succeeded: 3, failed: 0, skipped: 0 }))
      .when(command.abort())
      .thenError('InvalidTransition', /has completed/);
  });
});

describe('item outcomes', () => {
  it('records outcomes in plan order', () => {
    given(...running())
      .when(command.outcomes({ itemId: 'dl-1', outcome: 'succeeded' }, { itemId: 'dl-2', outcome: 'failed', detail: 'timeout' }))
      .then({ type: 'OperationItemExecuted', data: { operationId, itemId: 'dl-1', outcome: 'succeeded' } }, { type: 'OperationItemExecuted', data: { operationId, itemId: 'dl-2', outcome: 'failed', detail: 'timeout' } });
  });

  it('completes the operation with the last outcome, counted', () => {
    given(...running(), executed('dl-1'), executed('dl-2', 'failed'))
      .when(command.outcomes({ itemId: 'dl-3', outcome: 'skipped', detail: 'already redriven' }))
      .then(
        { type: 'OperationItemExecuted', data: { operationId, itemId: 'dl-3', outcome: 'skipped', detail: 'already redriven' } },
        { type: 'OperationCompleted', data: { operationId, succeeded: 1, failed: 1, skipped: 1 } },
      );
  });

  it('records an item once: a batch run again after a restart adds only what was missing', () => {
    given(...running(), executed('dl-1'))
      .when(command.outcomes({ itemId: 'dl-1', outcome: 'skipped' }, { itemId: 'dl-2', outcome: 'succeeded' }))
      .then({ type: 'OperationItemExecuted', data: { operationId, itemId: 'dl-2', outcome: 'succeeded' } });
    given(...running(), executed('dl-1')).when(command.outcomes({ itemId: 'dl-1', outcome: 'succeeded' })).thenNothing();
  });

  it('refuses an outcome out of plan order or for an item not planned', () => {
    given(...running()).when(command.outcomes({ itemId: 'dl-2', outcome: 'succeeded' })).thenError('ItemOutOfOrder', /dl-2 .* not the next .*\(dl-1\)/);
    given(...running()).when(command.outcomes({ itemId: 'elsewhere', outcome: 'succeeded' })).thenError('ItemOutOfOrder', /elsewhere/);
  });

  it('records what was acted on while a pause or abort came in, and completes a paused operation whose last item is done', () => {
    const paused = [...running(), executed('dl-1'), executed('dl-2'), event('OperationPaused', { operationId })];
    given(...paused)
      .when(command.outcomes({ itemId: 'dl-3', outcome: 'succeeded' }))
      .then({ type: 'OperationItemExecuted', data: { operationId, itemId: 'dl-3', outcome: 'succeeded' } }, { type: 'OperationCompleted', data: { operationId, succeeded: 3, failed: 0, skipped: 0 } });
    given(...running(), event('OperationAborted', { operationId }))
      .when(command.outcomes({ itemId: 'dl-1', outcome: 'succeeded' }), )
      .then({ type: 'OperationItemExecuted', data: { operationId, itemId: 'dl-1', outcome: 'succeeded' } });
  });

  it('never completes an aborted operation, even when its last item is recorded', () => {
    const events: OperationEvent[] = [...running(), executed('dl-1'), executed('dl-2'), event('OperationAborted', { operationId })];
    const decided = decide(command.outcomes({ itemId: 'dl-3', outcome: 'succeeded' }), stateAfter(...events));
    expect(decided.map((e) => e.type)).toEqual(['OperationItemExecuted']);
    expect(stateAfter(...events, ...decided)).toMatchObject({ phase: 'aborted', recorded: 3 });
  });

  it('takes no outcome before the operation is confirmed', () => {
    given(...plannedWith(three)).when(command.outcomes({ itemId: 'dl-1', outcome: 'succeeded' })).thenError('InvalidTransition', /is planned/);
  });
});
