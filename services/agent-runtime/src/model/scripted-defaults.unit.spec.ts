import { planStepSchema } from '@agent-orchestrator/contracts';
import { Agent, run, setTracingDisabled, tool } from '@openai/agents';
import { z } from 'zod';
import { parseModelScript } from './script.js';
import { ScriptedModelProvider } from './scripted-model.js';

const reviewOutput = z.object({ verdict: z.enum(['pass', 'rework']), reasons: z.array(z.string()) });
const planOutput = z.object({ steps: z.array(planStepSchema) });

const unscripted = new ScriptedModelProvider();

function searchTools() {
  const calls: unknown[] = [];
  const searchDocs = tool({
    name: 'search_docs',
    description: 'Search the documentation.',
    parameters: z.object({ query: z.string(), limit: z.number().int() }),
    execute: async (input) => {
      calls.push(input);
      return `3 pages match "${input.query}"`;
    },
  });
  const deletePage = tool({
    name: 'delete_page',
    description: 'Delete a page.',
    parameters: z.object({ pageId: z.string() }),
    execute: async () => {
      throw new Error('the default must only call the first allowed tool');
    },
  });
  return { calls, tools: [searchDocs, deletePage] };
}

beforeAll(() => setTracingDisabled(true));

describe('the scripted model without a script', () => {
  it('has a Planner propose a two-step plan in the contracts plan-step shape', async () => {
    const planner = new Agent({ name: 'Planner', model: unscripted.forAgent('Planner'), outputType: planOutput });

    const result = await run(planner, 'Compare three CRM vendors');

    expect(result.finalOutput?.steps.map(({ stepId, agent, dependsOn }) => ({ stepId, agent, dependsOn }))).toEqual([
      { stepId: 's1', agent: 'Executor', dependsOn: [] },
      { stepId: 's2', agent: 'Executor', dependsOn: ['s1'] },
    ]);
    expect(result.finalOutput?.steps[0]?.title).toContain('Compare three CRM vendors');
  });

  it('has a Reviewer pass, as structured output or as JSON text', async () => {
    const structured = new Agent({ name: 'Reviewer', model: unscripted.forAgent('Reviewer'), outputType: reviewOutput });
    const plain = new Agent({ name: 'Reviewer', model: unscripted.forAgent('Reviewer') });

    expect((await run(structured, 'Review the report')).finalOutput).toEqual({ verdict: 'pass', reasons: [] });
    expect(JSON.parse((await run(plain, 'Review the report')).finalOutput ?? '')).toEqual({ verdict: 'pass', reasons: [] });
  });

  it('has an agent with tools call its first allowed tool once, then answer from the result', async () => {
    const { calls, tools } = searchTools();
    const researcher = new Agent({ name: 'Researcher', model: unscripted.forAgent('Researcher'), tools });

    const result = await run(researcher, 'How do I rotate keys?');

    expect(calls).toEqual([{ query: 'scripted', limit: 0 }]);
    expect(result.finalOutput).toBe('Researcher called search_docs: 3 pages match "scripted"');
    expect(result.state.usage.requests).toBe(2);
  });

  it('has any other agent answer with a line about its input', async () => {
    const writer = new Agent({ name: 'Writer', model: unscripted.forAgent('Writer') });

    const result = await run(writer, 'Summarise   the\nminutes');

    expect(result.finalOutput).toBe('Writer handled: Summarise the minutes');
  });

  it('fills an unknown output schema with its simplest valid value', async () => {
    const scorer = new Agent({
      name: 'Scorer',
      model: unscripted.forAgent('Scorer'),
      outputType: z.object({ score: z.number().int().min(1), label: z.enum(['low', 'high']), notes: z.array(z.string()) }),
    });

    expect((await run(scorer, 'Score the lead')).finalOutput).toEqual({ score: 1, label: 'low', notes: [] });
  });

  it('falls back to the defaults once an agent has used up its scripted turns', async () => {
    const { calls, tools } = searchTools();
    const script = parseModelScript({ turns: [{ agent: 'Researcher', toolCalls: [{ tool: 'search_docs', arguments: { query: 'keys', limit: 5 } }] }] });
    const researcher = new Agent({ name: 'Researcher', model: new ScriptedModelProvider({ script }).forAgent('Researcher'), tools });

    const result = await run(researcher, 'How do I rotate keys?');

    expect(calls).toEqual([{ query: 'keys', limit: 5 }]);
    expect(result.finalOutput).toBe('Researcher called search_docs: 3 pages match "keys"');
  });

  it('serves an agent configured for a real model name with the defaults, known by its output shape', async () => {
    const script = parseModelScript({ turns: [{ agent: 'Reviewer', output: { verdict: 'rework', reasons: ['scripted'] } }] });
    const provider = new ScriptedModelProvider({ script });
    const reviewer = new Agent({ name: 'QualityGate', model: provider.getModel('gpt-4.1'), outputType: reviewOutput });

    expect((await run(reviewer, 'Review the report')).finalOutput).toEqual({ verdict: 'pass', reasons: [] });
  });

  it('binds a model to an agent run through the model name', async () => {
    const script = parseModelScript({
      turns: [
        { agent: 'Reviewer', run: 'round-1', output: { verdict: 'rework', reasons: ['too short'] } },
        { agent: 'Reviewer', output: { verdict: 'pass', reasons: [] } },
      ],
    });
    const provider = new ScriptedModelProvider({ script });
    const review = (modelName: string) =>
      run(new Agent({ name: 'Reviewer', model: provider.getModel(modelName), outputType: reviewOutput }), 'Review');

    expect((await review('scripted/Reviewer/round-1')).finalOutput).toEqual({ verdict: 'rework', reasons: ['too short'] });
    expect((await review('scripted/Reviewer/round-2')).finalOutput).toEqual({ verdict: 'pass', reasons: [] });
    expect((await review('scripted/Reviewer')).finalOutput).toEqual({ verdict: 'pass', reasons: [] });
  });
});
