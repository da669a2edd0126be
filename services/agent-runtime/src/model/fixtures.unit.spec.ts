import { Agent, run, setTracingDisabled, tool } from '@openai/agents';
import { z } from 'zod';
import { modelFixtureNames } from './fixtures.js';
import { modelScriptFromContext } from './session-script.js';
import { ScriptedModelProvider } from './scripted-model.js';

const planOutput = z.object({
  steps: z.array(z.object({ stepId: z.string(), title: z.string(), agent: z.string(), dependsOn: z.array(z.string()) })),
});
const reviewOutput = z.object({ verdict: z.enum(['pass', 'rework']), reasons: z.array(z.string()) });

function providerFor(fixture: string): ScriptedModelProvider {
  return new ScriptedModelProvider({ script: modelScriptFromContext({ modelFixture: fixture }) });
}

beforeAll(() => setTracingDisabled(true));

describe('model fixtures', () => {
  it('are registered by name', () => {
    expect(modelFixtureNames).toEqual(['three-steps-rework-once', 'tool-call-then-answer', 'demo-upgrade-customer', 'demo-upgrade-customer-silver', 'planner-fails']);
  });

  it('three-steps-rework-once: a three-step plan, step outputs per step, rework in round 1 and pass in round 2', async () => {
    const provider = providerFor('three-steps-rework-once');
    const planner = new Agent({ name: 'Planner', model: provider.forAgent('Planner', 'attempt-1'), outputType: planOutput });
    const executor = (stepId: string) => new Agent({ name: 'Executor', model: provider.forAgent('Executor', stepId) });
    const reviewer = (round: number) =>
      new Agent({ name: 'Reviewer', model: provider.forAgent('Reviewer', `round-${round}`), outputType: reviewOutput });

    const plan = (await run(planner, 'Answer the customer')).finalOutput;
    const stepOutputs = [];
    for (const step of plan?.steps ?? []) {
      stepOutputs.push((await run(executor(step.stepId), step.title)).finalOutput);
    }

    expect(plan?.steps.map((step) => [step.stepId, step.dependsOn])).toEqual([
      ['s1', []],
      ['s2', ['s1']],
      ['s3', ['s2']],
    ]);
    expect(stepOutputs).toEqual([
      'Facts gathered: three sources agree on the main points.',
      'Draft written from the gathered facts.',
      'Draft checked: it answers the goal.',
    ]);
    expect((await run(reviewer(1), 'Review')).finalOutput?.verdict).toBe('rework');
    expect((await run(reviewer(2), 'Review')).finalOutput).toEqual({ verdict: 'pass', reasons: [] });
  });

  it('tool-call-then-answer: the Executor calls its first allowed tool, then gives the scripted answer', async () => {
    const calls: unknown[] = [];
    const lookup = tool({
      name: 'lookup_order',
      description: 'Look an order up.',
      parameters: z.object({ orderId: z.string() }),
      execute: async (input) => {
        calls.push(input);
        return 'order shipped';
      },
    });
    const executor = new Agent({ name: 'Executor', model: providerFor('tool-call-then-answer').forAgent('Executor', 's1'), tools: [lookup] });

    const result = await run(executor, 'Where is my order?');

    expect(calls).toEqual([{ orderId: 'scripted' }]);
    expect(result.finalOutput).toBe('Answered with the result of the tool call.');
  });

  it('tool-call-then-answer: an Executor given no tool fails loudly instead of inventing one', async () => {
    const executor = new Agent({ name: 'Executor', model: providerFor('tool-call-then-answer').forAgent('Executor') });

    await expect(run(executor, 'Where is my order?')).rejects.toMatchObject({ code: 'InvalidModelScript' });
  });

  it('planner-fails: the Planner request fails for good', async () => {
    const planner = new Agent({ name: 'Planner', model: providerFor('planner-fails').forAgent('Planner'), outputType: planOutput });

    await expect(run(planner, 'Answer the customer')).rejects.toMatchObject({ code: 'ModelFailed', retryable: false });
  });
});
