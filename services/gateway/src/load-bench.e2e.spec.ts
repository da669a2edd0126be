import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startLedger } from '@agent-orchestrator/testing';

const root = join(import.meta.dirname, '../../..');

/** Runs `npm run bench:load` as a person would (the same Node, its own process) and answers its output. */
function runLoadBench(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', join(root, 'benchmarks/load.bench.ts'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

/**
 * A short fixed slice of the load bench in `npm test`: dev mode on a fresh database, five sessions
 * at once through the REST API, each held for an approval the bench's bot grants through the API,
 * each writing once to the bench's own tool server.
 */
describe('bench:load, five sessions in dev mode', () => {
  it('completes every session with no error and each side effect exactly once', async () => {
    const { code, stdout, stderr } = await runLoadBench(['--json', '--mode', 'dev', '--sessions', '5', '--deadline-seconds', '90']);
    if (code !== 0) throw new Error(`bench:load exited with ${code}:\n${stderr.slice(-3000)}`);
    const figures = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(figures).toMatchObject({
      mode: 'dev',
      sessions: 5,
      completed: 5,
      failed: 0,
      unfinished: 0,
      errors: 0,
      duplicate_side_effects: 0,
      missing_side_effects: 0,
      writes_before_approval: 0,
      // One write per session, each under its own key, each approved by the bot.
      tool_writes: 5,
      approvals_decided: 5,
      error_log_lines: {},
    });
    expect(figures.sessions_per_second).toBeGreaterThan(0);
    expect(figures.p95_session_seconds).toBeGreaterThanOrEqual(figures.p50_session_seconds as number);
    expect((figures.max_rss_mb as Record<string, number>)['dev mode']).toBeGreaterThan(0);
  }, 240_000);

  it("counts a write the platform made under a second Idempotency-Key as a duplicate side effect, and a key sent again as a redelivery", async () => {
    const ledger = await startLedger();
    try {
      const close = (account: string, key: string) =>
        fetch(`${ledger.url}/accounts/${account}`, { method: 'PATCH', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify({ status: 'closed' }) });
      for (const [account, key] of [['1', 'k1'], ['1', 'k1'], ['1', 'k2'], ['2', 'k3']] as const) expect((await close(account, key)).status).toBe(200);
      const counts = ledger.counts();
      expect(counts).toMatchObject({ writes: 3, duplicateSideEffects: 1, repeatedKeys: 1 });
      expect([...counts.firstWriteAt.keys()].sort()).toEqual(['1', '2']);
    } finally {
      await ledger.stop();
    }
  });
});
