import { Agent, RunState, run, setTracingDisabled, tool } from '@openai/agents';
import { z } from 'zod';
import { isAgentRuntimeError } from '../errors.js';
import { costOf } from './pricing.js';
import { parseModelScript, type ModelScript } from './script.js';
import { ScriptedModelProvider } from './scripted-model.js';

const planOutput = z.object({
  steps: z.array(
    z.object({ stepId: z.string(), title: z.string(), agent: z.string(), dependsOn: z.array(z.string()) }),
  ),
});

const scriptedPlan = {
  steps: [
    { stepId: 'fetch', title: 'Fetch the quarterly figures', agent: 'Executor', dependsOn: [] },
    { stepId: 'report', title: 'Write the report', agent: 'Executor', dependsOn: ['fetch'] },
  ],
};

const script: ModelScript = parseModelScript({
  turns: [
    { agent: 'Planner', output: scriptedPlan, usage: { inputTokens: 1200, outputTokens: 300 } },
    { agent: 'Executor', toolCalls: [{ tool: 'transfer_funds', arguments: { account: 'ACME-1', amountUsd: 250 } }] },
    { agent: 'Executor', text: 'Transferred 250 USD to ACME-1.' },
    { agent: 'Auditor', fail: 'Scripted provider failure: quota exhausted.' },
    { agent: 'Courier', fail: 'Scripted outage.', retryable: true },
  ],
});

/** One process's view: its own tool instance, agent instance and model, built from the script alone. */
function executorProcess() {
  const transfers: unknown[] = [];
  const transferFunds = tool({
    name: 'transfer_funds',
    description: 'Move money between accounts.',
    parameters: z.object({ account: z.string(), amountUsd: z.number() }),
    needsApproval: true,
    execute: async (input) => {
      transfers.push(input);
      return `transfer of ${input.amountUsd} USD to ${input.account} booked`;
    },
  });
  const model = new ScriptedModelProvider({ script }).forAgent('Executor');
  const agent = new Agent({ name: 'Executor', instructions: 'Carry out the step.', model, tools: [transferFunds] });
  return { agent, transfers };
}

beforeAll(() => setTracingDisabled(true));

describe('the scripted model in real @openai/agents runs', () => {
  it('gives the scripted plan, parsed by the agent output type', async () => {
    const planner = new Agent({
      name: 'Planner',
      instructions: 'Plan the goal.',
      model: new ScriptedModelProvider({ script }).forAgent('Planner'),
      outputType: planOutput,
    });

    const result = await run(planner, 'Report on the quarter');

    expect(result.finalOutput).toEqual(scriptedPlan);
    expect(result.state.usage).toMatchObject({ requests: 1, inputTokens: 1200, outputTokens: 300 });
    expect(costOf('gpt-4.1-mini', result.state.usage)).toBeCloseTo((1200 * 0.4 + 300 * 1.6) / 1e6, 12);
  });

  it('pauses on a tool that needs approval, and resumes from the serialised state in a fresh process', async () => {
    const first = executorProcess();
    const paused = await run(first.agent, 'Pay the supplier');

    expect(paused.interruptions).toHaveLength(1);
    expect(paused.interruptions[0]?.name).toBe('transfer_funds');
    expect(first.transfers).toEqual([]);
    const serialised = paused.state.toString();

    const second = executorProcess();
    const restored = await RunState.fromString(second.agent, serialised);
    const [approval] = restored.getInterruptions();
    if (approval === undefined) {
      throw new Error('the restored state lost its interruption');
    }
    restored.approve(approval);
    const resumed = await run(second.agent, restored);

    expect(second.transfers).toEqual([{ account: 'ACME-1', amountUsd: 250 }]);
    expect(resumed.finalOutput).toBe('Transferred 250 USD to ACME-1.');
    expect(resumed.interruptions ?? []).toEqual([]);
  });

  it('surfaces a scripted failure as a non-retryable model error', async () => {
    const auditor = new Agent({ name: 'Auditor', model: new ScriptedModelProvider({ script }).forAgent('Auditor') });

    const failure = await run(auditor, 'Audit the ledger').then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(isAgentRuntimeError(failure, 'ModelFailed')).toBe(true);
    expect((failure as Error).message).toBe('Scripted provider failure: quota exhausted.');
    expect((failure as { retryable: boolean }).retryable).toBe(false);
  });

  it('surfaces a scripted outage as a retryable model error', async () => {
    const courier = new Agent({ name: 'Courier', model: new ScriptedModelProvider({ script }).forAgent('Courier') });

    await expect(run(courier, 'Deliver')).rejects.toMatchObject({ code: 'ModelUnavailable', retryable: true });
  });

  it('gives the same outputs and usage for the same script and conversation', async () => {
    const outcome = async () => {
      const { agent } = executorProcess();
      const paused = await run(agent, 'Pay the supplier');
      return {
        items: paused.newItems.map((item) => item.rawItem),
        usage: paused.state.usage,
        serialisedLength: paused.state.toString().length,
      };
    };

    const [once, again] = [await outcome(), await outcome()];

    expect(again.items).toEqual(once.items);
    expect(again.usage).toEqual(once.usage);
    expect(once.usage.inputTokens).toBeGreaterThan(0);
    expect(once.usage.outputTokens).toBeGreaterThan(0);
  });

  it('streams the same final output as a non-streamed run', async () => {
    const planner = new Agent({
      name: 'Planner',
      model: new ScriptedModelProvider({ script }).forAgent('Planner'),
      outputType: planOutput,
    });

    const streamed = await run(planner, 'Report on the quarter', { stream: true });
    let text = '';
    for await (const chunk of streamed.toTextStream()) {
      text += chunk;
    }
    await streamed.completed;

    expect(streamed.finalOutput).toEqual(scriptedPlan);
    expect(JSON.parse(text)).toEqual(scriptedPlan);
  });
});
