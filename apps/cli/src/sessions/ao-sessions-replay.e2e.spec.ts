import { randomBytes } from 'node:crypto';
import { startDevModeProcess, waitFor, type DevModeProcess } from '@agent-orchestrator/testing';
import { main } from '../main.js';

/*
 * `ao sessions replay` against dev mode (every service in one process, the replay service among
 * them, real PostgreSQL): sessions recorded through the API are replayed through a replay-sessions
 * operation, one by id and several by query, and each is reported identical.
 */
describe('ao sessions replay', () => {
  const apiKey = randomBytes(32).toString('base64url');
  let dev: DevModeProcess;
  const sessions: string[] = [];
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${dev.url}${path}`, { method, headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
    return (await response.json()) as Record<string, unknown>;
  };
  const ao = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['node', 'ao', ...argv], { out: (line) => out.push(line), err: (line) => err.push(line) }, { AO_URL: dev.url, AO_API_KEY: apiKey });
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  };

  beforeAll(async () => {
    dev = await startDevModeProcess('ao_sessions_replay', { DEV_API_KEY: apiKey });
    for (let i = 0; i < 2; i += 1) {
      const { sessionId } = (await call('POST', '/v1/sessions', { goal: `Replay from ao ${i}`, context: { modelFixture: 'three-steps-rework-once' } })) as { sessionId: string };
      sessions.push(sessionId);
    }
    for (const sessionId of sessions) await waitFor(`session ${sessionId} to complete`, async () => (await call('GET', `/v1/sessions/${sessionId}`)).status === 'completed', { timeoutMs: 240_000 });
  }, 600_000);
  afterAll(async () => {
    await dev?.stop();
  });

  it('replays one session by id and reports it identical', async () => {
    const replayed = await ao('sessions', 'replay', sessions[0]!);
    expect(replayed).toMatchObject({ code: 0 });
    expect(replayed.stdout).toMatch(new RegExp(`^${sessions[0]}  identical \\(\\d+ decisions, \\d+ model responses and 0 tool answers served from the log\\)$`));
  });

  it('replays the sessions a query selects, as JSON', async () => {
    const replayed = await ao('sessions', 'replay', '--query', 'status=completed', '--json');
    const report = JSON.parse(replayed.stdout) as { identical: number; differ: number; sessions: { sessionId: string; identical: boolean }[] };
    expect(report.sessions.filter((session) => !session.identical)).toEqual([]);
    expect(replayed).toMatchObject({ code: 0 });
    expect(report).toMatchObject({ identical: 2, differ: 0 });
    expect(report.sessions.map((session) => session.sessionId).sort()).toEqual([...sessions].sort());
  });

  it('exits 4 when nothing matches, and 2 on a query it cannot read', async () => {
    expect(await ao('sessions', 'replay', '--query', 'status=cancelled')).toMatchObject({ code: 4, stderr: expect.stringContaining('nothing matched') });
    expect(await ao('sessions', 'replay', '--query', 'tool=crm')).toMatchObject({ code: 2 });
  });
});
