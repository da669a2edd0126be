import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';

/** A process this bench started (directly or through one it started), named by what it runs. */
interface Descendant {
  readonly pid: number;
  readonly name: string;
}

function readProc(pid: number | string, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined; // it ended between the listing and the read
  }
}

/** A service's entry point (cluster mode), dev mode's script, else the program's base name. */
function nameOf(pid: number): string {
  const argv = (readProc(pid, 'cmdline') ?? '').split('\0').filter(Boolean);
  // A service's main.ts is the service; another entry point of it (e.g. a relay of its own) is service/file.
  const entry = argv.map((arg) => /services\/([a-z-]+)\/src\/([\w.-]+)\.ts$/.exec(arg)).find(Boolean);
  if (entry) return entry[2] === 'main' ? entry[1]! : `${entry[1]}/${entry[2]}`;
  if (argv.some((arg) => arg.endsWith('scripts/dev.ts'))) return 'dev mode';
  return argv[0]?.split('/').pop() ?? String(pid);
}

/** Every process below `root` in the process tree, from /proc. */
function descendants(root: number): Descendant[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProc(entry, 'stat');
    if (!stat) continue;
    // The fields after the command's closing parenthesis: state, ppid, ...
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const found: Descendant[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    found.push({ pid, name: nameOf(pid) });
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

function rssKb(pid: number): number | undefined {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readProc(pid, 'status') ?? '');
  return match ? Number(match[1]) : undefined;
}

/** User plus system CPU time the process used so far, in clock ticks (USER_HZ, 100 a second on Linux). */
function cpuTicks(pid: number): number | undefined {
  const stat = readProc(pid, 'stat');
  if (!stat) return undefined;
  // After the command's closing parenthesis: state is field 3, utime 14 and stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}
const ticksPerSecond = 100;

export interface ProcessFigures {
  /** The highest resident set seen per process, in MB. */
  readonly maxRssMb: Record<string, number>;
  /** CPU seconds (user and system) each process used while sampled. */
  readonly cpuSeconds: Record<string, number>;
}

export interface ProcessSampler {
  stop(): ProcessFigures;
}

/**
 * Samples every process the bench started, and the bench itself as `bench client`, every
 * `intervalMs`: its resident set (VmRSS of /proc/<pid>/status), keeping the highest, and its CPU
 * time (/proc/<pid>/stat), counting what it used from the first sample to the last. The process
 * tree is walked again every `treeEveryMs` (a restarted service is a new process), keyed by name
 * (a second process of one name gets `#pid`).
 */
export function sampleProcesses(intervalMs = 500, treeEveryMs = 5000): ProcessSampler {
  const seen = new Map<number, { name: string; kb: number; firstTicks: number; lastTicks: number }>();
  let tree: Descendant[] = [];
  let treeAt = 0;
  const sample = () => {
    if (Date.now() - treeAt >= treeEveryMs) {
      tree = [{ pid: process.pid, name: 'bench client' }, ...descendants(process.pid)];
      treeAt = Date.now();
    }
    for (const { pid, name } of tree) {
      const kb = rssKb(pid);
      const ticks = cpuTicks(pid);
      if (kb === undefined || ticks === undefined) continue;
      const before = seen.get(pid);
      seen.set(pid, { name, kb: Math.max(kb, before?.kb ?? 0), firstTicks: before?.firstTicks ?? ticks, lastTicks: ticks });
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      treeAt = 0;
      sample();
      const maxRssMb: Record<string, number> = {};
      const cpuSeconds: Record<string, number> = {};
      for (const [pid, { name, kb, firstTicks, lastTicks }] of seen) {
        const key = name in maxRssMb ? `${name}#${pid}` : name;
        maxRssMb[key] = Math.round((kb / 1024) * 10) / 10;
        cpuSeconds[key] = Math.round(((lastTicks - firstTicks) / ticksPerSecond) * 10) / 10;
      }
      return { maxRssMb, cpuSeconds };
    },
  };
}

export interface ConnectionSampler {
  /** The most connections to the database seen at once (the sampler's own left out). */
  stop(): Promise<number>;
}

/** Samples how many server connections the platform holds on its database (pg_stat_activity), every `intervalMs`. */
export function sampleConnections(databaseUrl: string, intervalMs = 500): ConnectionSampler {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  let highest = 0;
  const sample = async () => {
    try {
      const { rows } = await pool.query<{ count: number }>('SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
      highest = Math.max(highest, rows[0]!.count);
    } catch {
      // the server refused a connection (it is full): the next sample asks again
    }
  };
  let pending = sample();
  const timer = setInterval(() => void (pending = pending.then(sample)), intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await pending;
      await pool.end();
      return highest;
    },
  };
}
