/**
 * npm run bench:replay-sessions [-- --json] [-- --sessions N] [-- --rounds N]
 *
 * `replay_sessions_per_second` (see replay-sessions.ts): sessions recorded by dev mode, then
 * replayed from the log `--rounds` times; the median round. Higher is better.
 */
import { Command } from 'commander';
import { measureReplaySessions } from './replay-sessions.js';

const program = new Command()
  .name('bench:replay-sessions')
  .option('--json', 'print the figures as one JSON object on the last line')
  .option('--sessions <n>', 'sessions recorded and replayed', (v) => Number.parseInt(v, 10), 30)
  .option('--rounds <n>', 'replays of every session', (v) => Number.parseInt(v, 10), 5)
  .parse();
const options = program.opts<{ json?: boolean; sessions: number; rounds: number }>();

const figures = await measureReplaySessions({ sessions: options.sessions, rounds: options.rounds, onProgress: (what) => console.error(what) });
console.log(`\nSession replay: ${figures.sessions} recorded sessions (${figures.decisions_per_session} decisions each), median of ${options.rounds} rounds`);
console.log(`  replay_sessions_per_second  ${figures.replay_sessions_per_second}`);
if (options.json) console.log(JSON.stringify(figures));
