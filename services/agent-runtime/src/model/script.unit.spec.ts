import { isAgentRuntimeError } from '../errors.js';
import { modelFixtures } from './fixtures.js';
import { parseModelScript, turnsFor } from './script.js';
import { modelScriptFromContext } from './session-script.js';

function errorOf(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

describe('the model script schema', () => {
  it('accepts text, structured output, tool calls and failures, with optional usage', () => {
    const script = parseModelScript({
      turns: [
        { agent: 'Planner', output: { steps: [] }, usage: { inputTokens: 10, outputTokens: 2 } },
        { agent: 'Executor', run: 's1', toolCalls: [{ tool: 'lookup', arguments: { id: 7 } }, {}] },
        { agent: 'Executor', text: 'done' },
        { agent: 'Reviewer', fail: 'overloaded', retryable: true },
      ],
    });

    expect(script.turns).toHaveLength(4);
  });

  it.each([
    ['a turn that is both text and structured output', { agent: 'Writer', text: 'a', output: {} }],
    ['a turn with none of text, output, toolCalls or fail', { agent: 'Writer' }],
    ['a turn without an agent', { text: 'a' }],
    ['an agent name the contracts would refuse', { agent: '1st agent', text: 'a' }],
    ['an empty list of tool calls', { agent: 'Writer', toolCalls: [] }],
    ['usage on a failure, which returns no response', { agent: 'Writer', fail: 'x', usage: { inputTokens: 1, outputTokens: 1 } }],
    ['negative token counts', { agent: 'Writer', text: 'a', usage: { inputTokens: -1, outputTokens: 1 } }],
  ])('refuses %s', (_, turn) => {
    const error = errorOf(() => parseModelScript({ turns: [turn] }));

    expect(isAgentRuntimeError(error, 'InvalidModelScript')).toBe(true);
    expect((error as Error).message).toMatch(/^Invalid model script:/);
  });

  it('picks a run its labelled turns, and otherwise the agent unlabelled ones', () => {
    const script = parseModelScript({
      turns: [
        { agent: 'Reviewer', run: 'round-1', text: 'first round' },
        { agent: 'Reviewer', text: 'any round' },
        { agent: 'Executor', text: 'not a reviewer turn' },
      ],
    });

    expect(turnsFor(script, 'Reviewer', 'round-1')).toEqual([{ agent: 'Reviewer', run: 'round-1', text: 'first round' }]);
    expect(turnsFor(script, 'Reviewer', 'round-2')).toEqual([{ agent: 'Reviewer', text: 'any round' }]);
    expect(turnsFor(script, 'Reviewer', undefined)).toEqual([{ agent: 'Reviewer', text: 'any round' }]);
    expect(turnsFor(script, undefined, undefined)).toEqual([]);
    expect(turnsFor(undefined, 'Reviewer', undefined)).toEqual([]);
  });
});

describe('a session context choosing the script', () => {
  it('gives no script when the context names none', () => {
    expect(modelScriptFromContext({ customer: 'ACME' })).toBeUndefined();
  });

  it('gives an inline script, validated', () => {
    expect(modelScriptFromContext({ modelScript: { turns: [{ agent: 'Writer', text: 'hi' }] } })).toEqual({
      turns: [{ agent: 'Writer', text: 'hi' }],
    });
    expect(errorOf(() => modelScriptFromContext({ modelScript: { turns: 'none' } }))).toMatchObject({ code: 'InvalidModelScript' });
  });

  it('gives a named fixture', () => {
    expect(modelScriptFromContext({ modelFixture: 'planner-fails' })).toBe(modelFixtures['planner-fails']);
  });

  it('refuses an unknown fixture, naming the known ones', () => {
    const error = errorOf(() => modelScriptFromContext({ modelFixture: 'toString' }));

    expect(error).toMatchObject({ code: 'UnknownModelFixture' });
    expect((error as Error).message).toContain('three-steps-rework-once, tool-call-then-answer, demo-upgrade-customer, demo-upgrade-customer-silver, planner-fails');
  });

  it('refuses a context that sets both an inline script and a fixture', () => {
    const error = errorOf(() => modelScriptFromContext({ modelFixture: 'planner-fails', modelScript: { turns: [] } }));

    expect(error).toMatchObject({ code: 'InvalidModelScript' });
  });
});
