/**
 * npm run bench:audit [-- --json] [-- --rounds N] [-- --events N] [-- --no-rss] [-- --keep-bundle FILE]
 *
 * The audit export against raw `pg` doing the plainest version of the same work, on the same
 * server in the same run, rounds alternating (see support.ts):
 * - export_ratio: an export of the tenant's 100,000 events (a signed checkpoint, the bundle with
 *   stream heads, range proof, checkpoints, keys and signature, stored in ~1 MiB chunks) against a
 *   raw query streaming the same rows (content, version, chain hashes), a page at a time, to an
 *   NDJSON file. Lower is better; goal <= 2.
 * - verify_ratio: the offline verifier over that bundle against SHA-256 of each of its lines
 *   alone. Goal <= 3.
 * - export_rss_growth_mb: the growth of a fresh process's resident set while it exports 200,000
 *   events (peak minus before). Goal <= 64.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync, createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { verifyBundle } from '@agent-orchestrator/audit-proof';
import { Checkpointer, ExportJobs, SigningKeys, storedBundle, TreeBuilder } from '@agent-orchestrator/audit';
import { migrateAuditStore } from '@agent-orchestrator/audit-store';
import type { NewEvent } from '@agent-orchestrator/contracts';
import { PostgresEventStore } from '@agent-orchestrator/event-store';
import { PostgresSecretStore } from '@agent-orchestrator/secrets';
import { createTestSchema, tenantDatabaseAt } from '@agent-orchestrator/testing';
import { ensureTestPostgres } from '@agent-orchestrator/testing/postgres-for-tests';
import { Command } from 'commander';
import pg from 'pg';
import { pino } from 'pino';
import { alternate, progressBar, round } from './support.js';

const options = new Command()
  .name('bench:audit')
  .option('--json', 'print the figures as one JSON object on the last line')
  .option('--rounds <n>', 'alternating rounds', (v) => Number.parseInt(v, 10), 3)
  .option('--events <n>', 'events of the exported tenant', (v) => Number.parseInt(v, 10), 100_000)
  .option('--rss-events <n>', 'events of the export whose memory is measured', (v) => Number.parseInt(v, 10), 200_000)
  .option('--no-rss', 'skip the RSS measurement (for iterating on the export or the verifier)')
  .option('--keep-bundle <file>', 'copy the verified bundle to <file>, e.g. to profile the verifier on it')
  .option('--rss-child <schema>', 'internal: export the rss tenant of <schema> in this process and print its RSS growth')
  .parse()
  .opts<{ json?: boolean; rounds: number; events: number; rssEvents: number; rss: boolean; keepBundle?: string; rssChild?: string }>();

const now = () => new Date().toISOString();
const logger = pino({ level: 'silent' });

/** The audit service's parts on `schema` (secrets under `<schema>_secrets`, key from AUDIT_BENCH_SECRETS_KEY). */
async function auditParts(pool: pg.Pool, connectionString: string, schema: string) {
  const tenancy = await tenantDatabaseAt(pool, connectionString, 2);
  const store = await PostgresEventStore.open({ pool, schema });
  const tables = await migrateAuditStore(pool, { schema, appRole: tenancy.appRole.name });
  const secrets = await PostgresSecretStore.open({ database: tenancy, schema: `${schema}_secrets`, key: Buffer.from(process.env.AUDIT_BENCH_SECRETS_KEY!, 'hex') });
  const builder = new TreeBuilder({ store, pool, tables, pageSize: 2000 });
  const keys = new SigningKeys({ store, secrets, logger, now });
  const checkpointer = new Checkpointer({ store, pool, tables, builder, keys, logger, now });
  const exports = new ExportJobs({ store, pool, tables, checkpointer, keys, logger, now });
  const exportNow = async (tenantId: string) => {
    const exportId = randomUUID();
    const metadata = { tenantId, correlationId: `audit-${tenantId}`, causationId: null, actor: { kind: 'user' as const, id: 'bench' }, traceparent: null, now: now(), eventIds: [randomUUID()] };
    await exports.request({ type: 'RequestAuditExport', exportId, range: {}, metadata });
    await exports.settled(exportId);
    const { rows } = await pool.query<{ status: string; error: string | null }>(`SELECT status, error FROM ${tables.exports} WHERE export_id = $1`, [exportId]);
    if (rows[0]?.status !== 'completed') throw new Error(`the export ended ${rows[0]?.status}: ${rows[0]?.error}`);
    return exportId;
  };
  return { tenancy, store, tables, builder, exportNow, close: async () => { await store.close(); await tenancy.tenantPool.end(); } };
}

if (options.rssChild !== undefined) {
  // The measured process: everything set up and connected, then one export while RSS is sampled.
  const connectionString = process.env.DATABASE_URL!;
  const pool = new pg.Pool({ connectionString, max: 4 });
  const parts = await auditParts(pool, connectionString, options.rssChild);
  const before = process.memoryUsage.rss();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  await parts.exportNow('rss');
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  console.log(JSON.stringify({ rssGrowthMb: (peak - before) / 2 ** 20 }));
  await parts.close();
  await pool.end();
  process.exit(0);
}

await ensureTestPostgres();
process.env.AUDIT_BENCH_SECRETS_KEY = randomBytes(32).toString('hex');
const db = await createTestSchema('bench_audit', 8);
const parts = await auditParts(db.pool, db.connectionString, db.schema);
const dir = mkdtempSync(join(tmpdir(), 'bench-audit-'));
const bar = progressBar('audit bench', options.rounds * 2 + 2);

/** `count` events of `tenantId`, 100 to a session over two streams, appended 500 at a time. */
async function seed(tenantId: string, count: number): Promise<void> {
  const event = (sessionId: string, attempt: number): NewEvent => ({
    eventId: randomUUID(),
    type: 'PlanRequested',
    schemaVersion: 1,
    tenantId,
    correlationId: sessionId,
    causationId: null,
    actor: { kind: 'service', id: 'orchestrator' },
    occurredAt: now(),
    traceparent: null,
    data: { planner: 'Planner', attempt },
  });
  for (let done = 0; done < count; done += 100) {
    const sessionId = randomUUID();
    const events = Array.from({ length: Math.min(100, count - done) }, (_, i) => event(sessionId, i + 1));
    await parts.store.append(`session-${sessionId}`, events.slice(0, 50));
    if (events.length > 50) await parts.store.append(`agentrun-${sessionId}.step.s1.1`, events.slice(50));
  }
}

/** The baseline: the same rows by a plain keyset-paged query, each written as an NDJSON line to a file. */
async function rawExport(tenantId: string, file: string): Promise<void> {
  const out = createWriteStream(file);
  const events = `${pg.escapeIdentifier(db.schema)}.events`;
  let after: [string, string] = ['0', '0'];
  for (;;) {
    // Named, so it is parsed and planned once, as the store's own reads are.
    const { rows } = await db.pool.query<{ content: object; stream_version: string; prev_hash: Buffer | null; hash: Buffer; tx: string; gp: string }>({
      name: 'bench-raw-export',
      text: `SELECT content, stream_version, prev_hash, hash, transaction_id::text AS tx, global_position::text AS gp FROM ${events}
        WHERE tenant_id = $1 AND (transaction_id, global_position) > ($2::text::xid8, $3::bigint) ORDER BY transaction_id, global_position LIMIT 1000`,
      values: [tenantId, ...after],
    });
    for (const row of rows) {
      const line = `${JSON.stringify({ prevHash: row.prev_hash?.toString('hex') ?? null, hash: row.hash.toString('hex'), event: { ...row.content, streamVersion: Number(row.stream_version) } })}\n`;
      if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    if (rows.length < 1000) break;
    after = [rows.at(-1)!.tx, rows.at(-1)!.gp];
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

const timed = async (work: () => Promise<unknown>) => {
  const started = performance.now();
  await work();
  return performance.now() - started;
};

/** Seeds the rss tenant, then exports it in a fresh process that reports its RSS growth. */
async function measureRss(): Promise<number> {
  await seed('rss', options.rssEvents);
  await parts.builder.catchUpTo(await parts.store.lastPosition());
  return new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', fileURLToPath(import.meta.url), '--rss-child', db.schema], {
      env: { ...process.env, DATABASE_URL: db.connectionString },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (data: Buffer) => void (output += data.toString()));
    child.once('exit', (code) => (code === 0 ? resolve((JSON.parse(output.trim().split('\n').at(-1)!) as { rssGrowthMb: number }).rssGrowthMb) : reject(new Error(`the measured export exited ${code}: ${output}`))));
  });
}

try {
  await seed('bench', options.events);
  await parts.builder.catchUpTo(await parts.store.lastPosition());
  bar.increment(1, { phase: 'seeded' });
  const exported = await alternate(options.rounds, bar, 'export', (side) => timed(() => (side === 'ours' ? parts.exportNow('bench') : rawExport('bench', join(dir, 'raw.ndjson')))));

  const bundleFile = join(dir, 'bundle.ndjson');
  const writer = createWriteStream(bundleFile);
  const lastExport = await parts.exportNow('bench');
  for await (const chunk of storedBundle(db.pool, parts.tables, 'bench', lastExport)) writer.write(chunk);
  await new Promise<void>((resolve) => writer.end(() => resolve()));
  if (options.keepBundle !== undefined) copyFileSync(bundleFile, options.keepBundle);
  const verified = await alternate(options.rounds, bar, 'verify', (side) =>
    timed(async () => {
      if (side === 'ours') {
        const report = await verifyBundle({ bundle: bundleFile });
        if (!report.ok) throw new Error(`the bundle does not verify: ${report.findings[0]?.message}`);
        return;
      }
      for await (const line of createInterface({ input: createReadStream(bundleFile), crlfDelay: Infinity })) createHash('sha256').update(line).digest();
    }),
  );

  const rss = options.rss ? await measureRss() : Number.NaN;
  bar.increment(1, { phase: 'rss' });
  bar.stop();

  const figures = {
    export_ms: round(exported.ours, 0),
    export_raw_ms: round(exported.raw, 0),
    export_ratio: round(exported.ours / exported.raw, 2),
    verify_ms: round(verified.ours, 0),
    verify_raw_ms: round(verified.raw, 0),
    verify_ratio: round(verified.ours / verified.raw, 2),
    export_rss_growth_mb: round(rss, 1),
  };
  console.log(`export of ${options.events} events: ${figures.export_ms} ms vs ${figures.export_raw_ms} ms for raw pg to NDJSON (ratio ${figures.export_ratio}, goal <= 2)`);
  console.log(`verify: ${figures.verify_ms} ms vs ${figures.verify_raw_ms} ms for SHA-256 of the lines alone (ratio ${figures.verify_ratio}, goal <= 3)`);
  if (options.rss) console.log(`RSS growth of a fresh process exporting ${options.rssEvents} events: ${figures.export_rss_growth_mb} MB (goal <= 64)`);
  if (options.json) console.log(JSON.stringify(figures));
} finally {
  rmSync(dir, { recursive: true, force: true });
  await parts.close();
  await db.pool.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(`${db.schema}_secrets`)} CASCADE`);
  await db.dispose();
}
