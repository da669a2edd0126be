/**
 * `replay_sessions_per_second`: recorded sessions replayed from the log with the release's
 * deciders (every decision of the session and its runs, each model response and tool answer
 * served from the log), as a replay-sessions operation executes them one at a time. The
 * sessions are recorded first by dev mode on the scripted model: reworks, tool calls, approvals
 * and a failing planner, in the proportions of the replay spec.
 */
import pg from 'pg';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import { replaySession } from '../services/replay/src/sessions/session-replayer.js';
import { startRecording, type SessionShape } from '../services/replay/src/sessions/recorded-sessions.behaviour.js';

export interface ReplaySessionsFigures {
  readonly replay_sessions_per_second: number;
  readonly sessions: number;
  readonly decisions_per_session: number;
}

export async function measureReplaySessions(options: { readonly sessions: number; readonly rounds: number; readonly onProgress?: (what: string) => void }): Promise<ReplaySessionsFigures> {
  const shapes: SessionShape[] = Array.from({ length: options.sessions }, (_, i): SessionShape => (['toolsAndRework', 'rework', 'toolsAndRework', 'approval', 'rework', 'plannerFails'] as const)[i % 6]!);
  const platform = await startRecording('bench_replay_sessions');
  const pool = new pg.Pool({ connectionString: platform.dev.databaseUrl, max: 4 });
  const store = await PostgresEventStore.open({ pool, schema: 'event_store' });
  try {
    const ids: string[] = [];
    for (let i = 0; i < shapes.length; i += 10) {
      ids.push(...(await Promise.all(shapes.slice(i, i + 10).map((shape) => platform.record(shape)))));
      options.onProgress?.(`recorded ${ids.length}/${shapes.length} sessions`);
    }
    const rates: number[] = [];
    let decisions = 0;
    for (let round = 0; round < options.rounds; round += 1) {
      const started = performance.now();
      decisions = 0;
      for (const sessionId of ids) {
        const report = await replaySession(store, sessionId);
        if (!report.identical) throw new Error(`session ${sessionId} replayed with a difference: ${JSON.stringify(report.difference)}`);
        decisions += report.decisions;
      }
      rates.push(ids.length / ((performance.now() - started) / 1000));
      options.onProgress?.(`round ${round + 1}/${options.rounds}: ${rates.at(-1)!.toFixed(1)} sessions/s`);
    }
    rates.sort((a, b) => a - b);
    return { replay_sessions_per_second: Math.round(rates[Math.floor(rates.length / 2)]! * 10) / 10, sessions: ids.length, decisions_per_session: Math.round(decisions / ids.length) };
  } finally {
    await store.close();
    await pool.end();
    await platform.stop();
  }
}
