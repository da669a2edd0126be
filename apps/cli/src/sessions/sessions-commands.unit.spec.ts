import { main } from '../main.js';
import { diffTable } from './diff-command.js';

const run = async (args: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'ao', ...args], { out: (text) => out.push(text), err: (text) => err.push(text) }, { AO_URL: 'http://127.0.0.1:9', AO_API_KEY: 'k' });
  return { code, out: out.join('\n'), err: err.join('\n') };
};

describe('ao sessions fork: what it refuses before asking the platform', () => {
  it('wants a whole version', async () => {
    expect(await run(['sessions', 'fork', 's-1', '--at', 'latest'])).toMatchObject({ code: 2, err: expect.stringContaining('--at latest is not a version') });
  });

  it('takes a script or a fixture, not both', async () => {
    expect(await run(['sessions', 'fork', 's-1', '--at', '3', '--model-script', 'a.json', '--model-fixture', 'b'])).toMatchObject({ code: 2, err: expect.stringContaining('not both') });
  });

  it('wants a policy version from 1', async () => {
    expect(await run(['sessions', 'fork', 's-1', '--at', '3', '--policy-version', '0'])).toMatchObject({ code: 2, err: expect.stringContaining('--policy-version 0 is not a version') });
  });

  it('names a script file it cannot read', async () => {
    expect(await run(['sessions', 'fork', 's-1', '--at', '3', '--model-script', '/nonexistent/script.json'])).toMatchObject({ code: 2, err: expect.stringContaining('cannot read the model script') });
  });
});

describe('ao sessions diff: the table', () => {
  // Cells are clipped with an ellipsis so the columns line up; --json has everything.
  it('marks the rows that differ and names the first difference', () => {
    const about = (sessionId: string, status: string, forkedFrom: { sessionId: string; version: number } | null) => ({ sessionId, status, forkedFrom });
    const step = (status: string, output: unknown) => ({ stepId: 'upgrade', title: 'Upgrade customer 42', agent: 'AccountManager', status, output });
    const diff: Parameters<typeof diffTable>[0] = {
      a: about('s-a', 'awaiting_approval', null),
      b: about('s-b', 'completed', { sessionId: 's-a', version: 5 }),
      plan: [],
      steps: [
        { key: 'look-up', a: { ...step('completed', 'bronze'), stepId: 'look-up' }, b: { ...step('completed', 'bronze'), stepId: 'look-up' }, same: true },
        { key: 'upgrade', a: step('scheduled', null), b: step('completed', 'Customer 42 was upgraded to silver'), same: false },
      ],
      toolCalls: [{ key: '1', a: null, b: { tool: 'crm', operation: 'updateCustomer', arguments: { id: '42', body: { tier: 'silver' } }, outcome: 'completed', result: '{}' }, same: false }],
      approvals: [{ key: '1', a: { tool: 'crm__updateCustomer', decision: 'pending', approver: null }, b: { tool: 'crm__updateCustomer', decision: 'granted', approver: 'u-ada' }, same: false }],
      usage: { key: 'total', a: { inputTokens: 10, outputTokens: 5, costUsd: 0 }, b: { inputTokens: 10, outputTokens: 5, costUsd: 0 }, same: true },
      log: [],
      firstDivergence: { section: 'steps', key: 'upgrade', a: null, b: null },
    };
    const lines = diffTable(diff, 80);
    expect(lines[1]).toBe('b: s-b (completed, forked from s-a at 5)');
    expect(lines.find((line) => line.includes('step look-up'))).toMatch(/^ {2}step look-up/);
    expect(lines.find((line) => line.includes('step upgrade'))).toMatch(/^≠ step upgrade +scheduled: Upgrade customer 42 +completed: Customer 42 was upgraded to silver$/);
    expect(lines.find((line) => line.includes('tool call 1'))).toMatch(/^≠ tool call 1 +- +completed: crm\.updateCustomer \{"id":"42","body":\{"tier":"silver"\}\}$/);
    expect(lines.find((line) => line.includes('approval 1'))).toContain('crm__updateCustomer: granted by u-ada');
    expect(lines).toContain('first difference: steps upgrade');
    // A narrow terminal clips each cell, so the columns stay in line.
    expect(diffTable(diff, 30).find((line) => line.includes('step upgrade'))).toMatch(/ scheduled: Upgrade customer 42 completed: Customer 42 was up…$/);
  });
});
