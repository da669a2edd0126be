/**
 * npm run bench:load -- [--json] [--sessions N] [--mode cluster|dev] [--deadline-seconds S]
 *
 * The platform as deployed (cluster mode: every service its own process on the Kafka broker and
 * PostgreSQL; dev mode: one process, in-process transport) on a fresh database, driven only through
 * the REST API with the typed client, as a tenant would: N sessions submitted at once, each on the
 * scripted model (a plan of two steps, a look-up, a write to the bench's own tool server held for
 * an approver by the tenant's policy and approved by a bot through the approvals API, a passing
 * review). The tool server counts each account's writes by Idempotency-Key, so a write the platform
 * made twice under two keys is a duplicate side effect. A session still running at the deadline
 * counts as not completed. Figures: completed and failed sessions, sessions completed per second,
 * p50/p95 seconds from submission to end and where they went around the approval, the highest
 * RSS and the CPU seconds of each process the bench started (and of the bench itself) from the
 * moment the platform is ready, the most PostgreSQL connections it held, duplicate side effects,
 * and errors (any 5xx answer, any request timed out or unanswered).
 */
import { writeFileSync } from 'node:fs';
import { createClient } from '@agent-orchestrator/client';
import { Command, InvalidArgumentError, Option } from 'commander';
import { startLedger } from '@agent-orchestrator/testing';
import { startPlatform, type LoadMode } from './load-platform.js';
import { countingFetch, provisionTenant, runTag, startApprovalBot, submitSessions, untilEnded, type WireErrors } from './load-run.js';
import { sampleConnections, sampleProcesses, type ProcessFigures } from './process-sampling.js';
import { percentile, progressBar, round } from './support.js';

const positive = (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expects a whole number of at least 1.');
  return parsed;
};
const options = new Command()
  .name('bench:load')
  .option('--json', 'print the figures as one JSON object on the last line')
  .option('--sessions <n>', 'sessions submitted at once', positive, 200)
  .addOption(new Option('--mode <mode>', 'how the platform runs').choices(['cluster', 'dev']).default('cluster'))
  .option('--deadline-seconds <s>', 'how long after submission sessions may take to end', positive, 600)
  .option('--log-file <path>', "write every line the platform's processes printed to this file")
  .option('--request-timeout-seconds <s>', 'how long the client waits for one answer', positive, 30)
  .parse()
  .opts<{ json?: boolean; sessions: number; mode: LoadMode; deadlineSeconds: number; requestTimeoutSeconds: number; logFile?: string }>();

const ledger = await startLedger();
const platform = await startPlatform(options.mode);
// From the moment the platform is ready: what the load costs, not start-up (dev mode builds the console then).
const processes = sampleProcesses(500);
const connections = sampleConnections(platform.databaseUrl, 500);
/** pino's numeric level of a JSON log line (50 is error, 60 fatal), if it is one. */
const levelOf = (line: string): number => {
  try {
    const { level } = JSON.parse(line) as { level?: unknown };
    return typeof level === 'number' ? level : 0;
  } catch {
    return 0;
  }
};
/** Lines at level error or above per process, from line `from` of the platform's output on. */
const errorLines = (from: number) => {
  const counts: Record<string, number> = {};
  for (const [name, line] of platform.output().slice(from)) if (levelOf(line) >= 50) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
};
const p50 = (values: number[]) => (values.length > 0 ? round(percentile(values, 50), 2) : null);
const wire: WireErrors = { http5xx: 0, timeouts: 0, network: 0 };
const fetchCounted = countingFetch(wire, options.requestTimeoutSeconds * 1000);
const admin = createClient({ baseUrl: platform.url, apiKey: platform.adminKey, fetch: fetchCounted });
let figures: Record<string, unknown>;
let maxConnections = 0;
let sampled: ProcessFigures = { maxRssMb: {}, cpuSeconds: {} };
try {
  const botKey = await provisionTenant(admin, ledger);
  const bot = startApprovalBot(createClient({ baseUrl: platform.url, apiKey: botKey, fetch: fetchCounted }));
  const tag = runTag();
  const bar = progressBar(`bench:load ${options.mode}`, options.sessions);
  bar.update(0, { phase: 'submitting' });

  const linesBefore = platform.output().length;
  const started = Date.now();
  const { submitted, refused } = await submitSessions(admin, options.sessions, tag);
  const submittedIn = (Date.now() - started) / 1000;
  const deadline = started + options.deadlineSeconds * 1000;
  await untilEnded(admin, submitted, tag, deadline, (ended) => bar.update(ended, { phase: `ended (approved ${bot.approved()})` }));
  bar.stop();
  await bot.stop();

  const completed = submitted.filter((session) => session.status === 'completed' && session.endedAt !== undefined && session.endedAt <= deadline);
  const failed = submitted.filter((session) => (session.status === 'failed' || session.status === 'cancelled') && (session.endedAt ?? 0) <= deadline);
  const seconds = completed.map((session) => (session.endedAt! - session.submittedAt) / 1000);
  // Where a completed session's time went: until its approval was asked for, until the bot's inbox
  // showed it, waiting for the bot's turn, the grant's answer, and from there to the session's end.
  const legs: Record<'to_approval' | 'to_inbox' | 'bot_queue' | 'grant_answer' | 'after_grant', number[]> = { to_approval: [], to_inbox: [], bot_queue: [], grant_answer: [], after_grant: [] };
  for (const session of completed) {
    const grant = bot.grants().get(session.sessionId);
    if (!grant) continue;
    legs.to_approval.push((grant.requestedAt - session.submittedAt) / 1000);
    legs.to_inbox.push((grant.seenAt - grant.requestedAt) / 1000);
    legs.bot_queue.push((grant.sentAt - grant.seenAt) / 1000);
    legs.grant_answer.push((grant.grantedAt - grant.sentAt) / 1000);
    legs.after_grant.push((session.endedAt! - grant.grantedAt) / 1000);
  }
  // Until the last session ended, or the deadline when some did not.
  const lastEnd = completed.length === submitted.length && completed.length > 0 ? Math.max(...completed.map((session) => session.endedAt!)) : Math.min(Date.now(), deadline);
  const counts = ledger.counts();
  const unfinished = options.sessions - completed.length - failed.length;
  figures = {
    mode: options.mode,
    sessions: options.sessions,
    completed: completed.length,
    failed: failed.length,
    // Never ended (still running at the deadline) or never started (refused, or no answer).
    unfinished,
    sessions_per_second: round(completed.length / ((lastEnd - started) / 1000), 2),
    p50_session_seconds: p50(seconds),
    p95_session_seconds: seconds.length > 0 ? round(percentile(seconds, 95), 2) : null,
    session_legs_p50_seconds: Object.fromEntries(Object.entries(legs).map(([leg, values]) => [leg, p50(values)])),
    submitted_in_seconds: round(submittedIn, 2),
    // How long POST /v1/sessions took to answer (it waits up to 3 s for the session to be in the log).
    start_answer_p95_seconds: submitted.length > 0 ? round(percentile(submitted.map((session) => (session.answeredAt - session.submittedAt) / 1000), 95), 2) : null,
    max_rss_mb: {},
    // CPU each process used from the platform being ready to the load's end: where the machine's time went.
    cpu_seconds: {},
    // Connections the platform held on its PostgreSQL at once: the server's max_connections bounds them.
    max_db_connections: 0,
    duplicate_side_effects: counts.duplicateSideEffects,
    // A completed session whose account the ledger never saw written: a side effect lost.
    missing_side_effects: completed.filter((session) => !counts.firstWriteAt.has(session.account)).length,
    // A write the ledger took before the bot had sent the session's grant: the policy did not hold it.
    writes_before_approval: submitted.filter((session) => {
      const written = counts.firstWriteAt.get(session.account);
      const sent = bot.grants().get(session.sessionId)?.sentAt;
      return written !== undefined && (sent === undefined || written < sent);
    }).length,
    tool_writes: counts.writes,
    repeated_idempotency_keys: counts.repeatedKeys,
    approvals_decided: bot.approved(),
    errors: wire.http5xx + wire.timeouts + wire.network,
    errors_by_kind: { ...wire, starts_refused: refused },
    // Logged at error or above while the sessions ran (start-up's broker chatter is left out).
    error_log_lines: errorLines(linesBefore),
    failure_reasons: Object.fromEntries([...Map.groupBy(failed, (session) => `${session.status}: ${session.failureReason ?? ''}`.slice(0, 200))].map(([reason, list]) => [reason, list.length])),
    deadline_seconds: options.deadlineSeconds,
  };
} finally {
  // Before the platform stops: what shutting down costs is not the load's.
  sampled = processes.stop();
  maxConnections = await connections.stop();
  if (options.logFile) writeFileSync(options.logFile, platform.output().map(([name, line]) => `${name} ${line}\n`).join(''));
  await platform.stop().catch((error: unknown) => console.error(`bench:load: the platform did not stop cleanly: ${String(error)}`));
  await ledger.stop();
}
figures.max_rss_mb = sampled.maxRssMb;
figures.cpu_seconds = sampled.cpuSeconds;
figures.max_db_connections = maxConnections;

const rss = figures.max_rss_mb as Record<string, number>;
const rows: [string, unknown][] = [
  ['mode', figures.mode],
  ['sessions submitted at once', figures.sessions],
  ['completed', figures.completed],
  ['failed', figures.failed],
  ['unfinished at the deadline', figures.unfinished],
  ['sessions completed per second', figures.sessions_per_second],
  ['session seconds p50 / p95', `${figures.p50_session_seconds} / ${figures.p95_session_seconds}`],
  ['start answered p95 (s) / all submitted in (s)', `${figures.start_answer_p95_seconds} / ${figures.submitted_in_seconds}`],
  ['legs p50 (s)', Object.entries(figures.session_legs_p50_seconds as Record<string, number | null>).map(([leg, value]) => `${leg} ${value}`).join(' · ')],
  ['duplicate side effects', figures.duplicate_side_effects],
  ['missing side effects', figures.missing_side_effects],
  ['writes before their approval', figures.writes_before_approval],
  ['errors (5xx, timeouts, no answer)', `${figures.errors} ${JSON.stringify(figures.errors_by_kind)}`],
  ['most PostgreSQL connections at once', figures.max_db_connections],
  ['error log lines', JSON.stringify(figures.error_log_lines)],
  ['failures', JSON.stringify(figures.failure_reasons)],
  ...Object.entries(rss).map(([name, mb]): [string, unknown] => [`${name}: max RSS (MB) / CPU (s)`, `${mb} / ${sampled.cpuSeconds[name]}`]),
];
const width = Math.max(...rows.map(([label]) => label.length));
if (options.json) console.log(JSON.stringify(figures));
else console.log(rows.map(([label, value]) => `${label.padEnd(width)}  ${String(value)}`).join('\n'));
process.exit(0);
