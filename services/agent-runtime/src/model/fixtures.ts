import { modelScriptSchema, type ModelScript } from './script.js';

/**
 * Named scripts a session can ask for by `modelFixture`, so demos and tests exercise a path
 * without writing a script. Parsed with the same schema as inline scripts when this module loads.
 */
const fixtureDefinitions = {
  /** A three-step plan; the first review asks for rework, the second passes. */
  'three-steps-rework-once': {
    turns: [
      {
        agent: 'Planner',
        output: {
          steps: [
            { stepId: 's1', title: 'Gather the facts the goal needs', agent: 'Executor', dependsOn: [] },
            { stepId: 's2', title: 'Draft an answer from the facts', agent: 'Executor', dependsOn: ['s1'] },
            { stepId: 's3', title: 'Check the draft against the goal', agent: 'Executor', dependsOn: ['s2'] },
          ],
        },
      },
      { agent: 'Executor', run: 's1', text: 'Facts gathered: three sources agree on the main points.' },
      { agent: 'Executor', run: 's2', text: 'Draft written from the gathered facts.' },
      { agent: 'Executor', run: 's3', text: 'Draft checked: it answers the goal.' },
      { agent: 'Reviewer', run: 'round-1', output: { verdict: 'rework', reasons: ['The draft has no summary for a reader in a hurry.'] } },
      { agent: 'Reviewer', run: 'round-2', output: { verdict: 'pass', reasons: [] } },
    ],
  },
  /** A one-step plan whose Executor calls its first allowed tool, then answers. */
  'tool-call-then-answer': {
    turns: [
      {
        agent: 'Planner',
        output: { steps: [{ stepId: 's1', title: 'Use a tool to answer the goal', agent: 'Executor', dependsOn: [] }] },
      },
      { agent: 'Executor', toolCalls: [{}] },
      { agent: 'Executor', text: 'Answered with the result of the tool call.' },
      { agent: 'Reviewer', output: { verdict: 'pass', reasons: [] } },
    ],
  },
  /**
   * The dev-mode demo (npm start): AccountManager reads customer 42 from the demo CRM, then asks
   * to upgrade them to gold, which the demo policy holds for an approver; the Reviewer passes.
   */
  'demo-upgrade-customer': {
    turns: [
      {
        agent: 'Planner',
        output: {
          steps: [
            { stepId: 'look-up', title: 'Look up customer 42 in the CRM', agent: 'AccountManager', dependsOn: [] },
            { stepId: 'upgrade', title: 'Upgrade customer 42 to the gold tier', agent: 'AccountManager', dependsOn: ['look-up'] },
          ],
        },
      },
      { agent: 'AccountManager', run: 'look-up', toolCalls: [{ tool: 'crm__getCustomer', arguments: { id: '42' } }] },
      { agent: 'AccountManager', run: 'look-up', text: 'Customer 42 is on the bronze tier.' },
      { agent: 'AccountManager', run: 'upgrade', toolCalls: [{ tool: 'crm__updateCustomer', arguments: { id: '42', body: { tier: 'gold' } } }] },
      { agent: 'AccountManager', run: 'upgrade', text: 'Customer 42 was upgraded as approved.' },
      { agent: 'Reviewer', output: { verdict: 'pass', reasons: [] } },
    ],
  },
  /**
   * The demo's other ending, for forks of it: the same plan and look-up, then AccountManager asks
   * to upgrade customer 42 to silver instead of gold (the demo policy holds it for an approver).
   */
  'demo-upgrade-customer-silver': {
    turns: [
      {
        agent: 'Planner',
        output: {
          steps: [
            { stepId: 'look-up', title: 'Look up customer 42 in the CRM', agent: 'AccountManager', dependsOn: [] },
            { stepId: 'upgrade', title: 'Upgrade customer 42 to the silver tier', agent: 'AccountManager', dependsOn: ['look-up'] },
          ],
        },
      },
      { agent: 'AccountManager', run: 'look-up', toolCalls: [{ tool: 'crm__getCustomer', arguments: { id: '42' } }] },
      { agent: 'AccountManager', run: 'look-up', text: 'Customer 42 is on the bronze tier.' },
      { agent: 'AccountManager', run: 'upgrade', toolCalls: [{ tool: 'crm__updateCustomer', arguments: { id: '42', body: { tier: 'silver' } } }] },
      { agent: 'AccountManager', run: 'upgrade', text: 'Customer 42 was upgraded to silver as approved.' },
      { agent: 'Reviewer', output: { verdict: 'pass', reasons: [] } },
    ],
  },
  /** The provider refuses the Planner's request: the session fails before any step runs. */
  'planner-fails': {
    turns: [{ agent: 'Planner', fail: 'Scripted provider failure: the planner request was refused.' }],
  },
} as const;

export type ModelFixtureName = keyof typeof fixtureDefinitions;

export const modelFixtureNames = Object.keys(fixtureDefinitions) as ModelFixtureName[];

export const modelFixtures: Readonly<Record<ModelFixtureName, ModelScript>> = Object.fromEntries(
  modelFixtureNames.map((name) => [name, modelScriptSchema.parse(fixtureDefinitions[name])]),
) as Record<ModelFixtureName, ModelScript>;

export function isModelFixtureName(name: string): name is ModelFixtureName {
  return Object.hasOwn(fixtureDefinitions, name);
}
