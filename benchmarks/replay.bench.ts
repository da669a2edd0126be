/**
 * npm run bench:replay [-- --json] [-- --only <name>…]
 *
 * The replay tooling against raw work on the same broker and database, in the same run. Each
 * measurement below is named and gives its figures; `--json` prints all of them as one object on
 * the last line.
 * - redrive (replay-redrive.ts): `redrive_ratio`, redriving N dead letters through the replay
 *   service's operation (plan, confirm, until completed, unthrottled: rate "max")
 *   against raw kafkajs `sendBatch` of the same N messages; goal <= 2.
 * - rebuild (replay-rebuild.ts): `rebuild_ratio`, rebuilding the sessions model from 100,000 events
 *   (REBUILD_BENCH_EVENTS) into shadow tables and swapping them in, against raw batched upserts
 *   through pg of the same rows; goal <= 1.5.
 * - sessions (the session replayer's measurement adds itself here): `replay_sessions_per_second`.
 */
import { ensureTestKafka } from '@agent-orchestrator/testing/kafka-for-tests';
import { ensureTestPostgres } from '@agent-orchestrator/testing/postgres-for-tests';
import { Command } from 'commander';
import { measureRebuild } from './replay-rebuild.js';
import { measureRedrive } from './replay-redrive.js';
import { measureReplaySessions } from './replay-sessions.js';

/** What each measurement hands back: its figures (snake_case, as --json prints them) and lines for people. */
export interface Measured {
  readonly figures: Readonly<Record<string, number>>;
  readonly lines: readonly string[];
}

export interface MeasureOptions {
  readonly rounds: number;
}

/** The measurements of `bench:replay`, by name. Add one line per measurement. */
const measurements: Readonly<Record<string, (options: MeasureOptions) => Promise<Measured>>> = {
  redrive: measureRedrive,
  rebuild: measureRebuild,
  sessions: async ({ rounds }) => {
    const figures = await measureReplaySessions({ sessions: 30, rounds: Math.max(rounds, 3) });
    return {
      figures: { replay_sessions_per_second: figures.replay_sessions_per_second },
      lines: [`sessions: ${figures.sessions} recorded sessions (${figures.decisions_per_session} decisions each) replayed from the log: replay_sessions_per_second ${figures.replay_sessions_per_second}`],
    };
  },
};

const options = new Command()
  .name('bench:replay')
  .option('--json', 'print the figures as one JSON object on the last line')
  .option('--only <name>', `run only these measurements (${Object.keys(measurements).join(', ')}); repeatable`, (value: string, previous: string[] = []) => [...previous, value])
  .option('--rounds <n>', 'alternating rounds per measurement', (v) => Number.parseInt(v, 10), 1)
  .parse()
  .opts<{ json?: boolean; only?: string[]; rounds: number }>();

const unknown = (options.only ?? []).filter((name) => !(name in measurements));
if (unknown.length > 0) throw new Error(`no measurement named ${unknown.join(', ')}: there are ${Object.keys(measurements).join(', ')}`);
await Promise.all([ensureTestPostgres(), ensureTestKafka()]);

const figures: Record<string, number> = {};
for (const [name, measure] of Object.entries(measurements)) {
  if (options.only && !options.only.includes(name)) continue;
  const measured = await measure({ rounds: options.rounds });
  Object.assign(figures, measured.figures);
  for (const line of measured.lines) console.log(line);
}
if (options.json) console.log(JSON.stringify(figures));
process.exit(0);
