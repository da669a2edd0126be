import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Logger } from 'pino';

/** Work that only the leader does; stopped at once when leadership ends. */
export interface LeaderWork {
  stop(): Promise<void>;
}

export interface LeadershipOptions {
  /** The database whose session-level advisory lock elects the leader. */
  readonly connectionString: string;
  /** Names the lock: processes passing the same name to the same database compete for it. */
  readonly lockName: string;
  /** How often a standby tries to take the lock. */
  readonly pollMs: number;
  /** How often the leader checks, on the lock's own connection, that it still holds the lock. */
  readonly heartbeatMs: number;
  readonly logger: Logger;
  /** Starts the leader's work once the lock is taken. */
  readonly lead: () => Promise<LeaderWork>;
}

export type LeadershipRole = 'leader' | 'standby';

export interface Leadership {
  role(): LeadershipRole;
  /** Stops the work if leading, then frees the lock (its connection closes) for a standby. */
  stop(): Promise<void>;
}

class LeadershipLost extends Error {}

/**
 * One leader among processes by a PostgreSQL session-level advisory lock
 * (`pg_try_advisory_lock`) held on a connection of its own, apart from every pool: the lock lives
 * exactly as long as that session. A standby tries to take it every `pollMs`. When the leader's
 * process dies, its connection closes and the server frees the lock, so a standby leads within
 * about a poll. The leader checks every `heartbeatMs`, on the same connection and with a timeout,
 * that the server still counts the lock as its own; an error on the connection, its end, a failed
 * or late check, all stop the work at once. So a leader that cannot show it holds the lock stops
 * within about a heartbeat, and two leaders never work past that bound (the work must therefore
 * tolerate an overlap that short: the relay does, it is at-least-once).
 */
export function holdLeadership(options: LeadershipOptions): Leadership {
  const { connectionString, lockName, pollMs, heartbeatMs, logger } = options;
  const stopping = new AbortController();
  let role: LeadershipRole = 'standby';

  const pause = (ms: number) => sleep(ms, undefined, { signal: stopping.signal }).catch(() => undefined);

  /** Resolves (never rejects) with why the connection can no longer vouch for the lock. */
  const watchConnection = (client: pg.Client) =>
    new Promise<Error>((resolve) => {
      client.on('error', (error: Error) => resolve(error));
      client.once('end', () => resolve(new LeadershipLost('the lock connection ended')));
    });

  /** Until `stopping` or a failed check: what ended the leadership (undefined when stopped). */
  const keepLeading = async (client: pg.Client, lost: Promise<Error>): Promise<Error | undefined> => {
    const stopped = new Promise<undefined>((resolve) => stopping.signal.addEventListener('abort', () => resolve(undefined), { once: true }));
    while (!stopping.signal.aborted) {
      const beat = (async () => {
        await pause(heartbeatMs);
        if (stopping.signal.aborted) return undefined;
        const { rows } = await client.query<{ held: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 AND granted AND pid = pg_backend_pid()
                            AND ((classid::bigint << 32) | objid::bigint) = hashtextextended($1, 0)) AS held`,
          [lockName],
        );
        return rows[0]?.held ? undefined : new LeadershipLost('the server no longer counts the lock as held');
      })().catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
      const outcome = await Promise.race([beat, lost, stopped]);
      if (outcome !== undefined) return outcome;
    }
    return undefined;
  };

  const run = async () => {
    while (!stopping.signal.aborted) {
      // No query may wait longer than a heartbeat and a half: a hung server counts as a lost lock.
      const client = new pg.Client({ connectionString, keepAlive: true, query_timeout: Math.max(heartbeatMs * 1.5, 1000), application_name: `leader:${lockName}`.slice(0, 63) });
      const lost = watchConnection(client);
      try {
        await client.connect();
        let acquired = false;
        while (!acquired && !stopping.signal.aborted) {
          const { rows } = await client.query<{ acquired: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS acquired', [lockName]);
          acquired = rows[0]?.acquired === true;
          if (!acquired) {
            const ended = await Promise.race([pause(pollMs).then(() => undefined), lost]);
            if (ended) throw ended;
          }
        }
        if (acquired && !stopping.signal.aborted) {
          const work = await options.lead();
          role = 'leader';
          logger.info({ lock: lockName }, 'took the lead');
          const reason = await keepLeading(client, lost);
          role = 'standby';
          await work.stop();
          if (reason) logger.warn({ lock: lockName, reason: reason.message }, 'lost the lead; its work stopped');
        }
      } catch (error) {
        role = 'standby';
        if (!stopping.signal.aborted) logger.warn({ lock: lockName, reason: error instanceof Error ? error.message : String(error) }, 'leader election failed; trying again');
      } finally {
        // Ending the session frees the lock if it was held.
        await client.end().catch(() => undefined);
      }
      if (!stopping.signal.aborted) await pause(pollMs);
    }
  };

  const running = run();
  return {
    role: () => role,
    async stop() {
      stopping.abort();
      await running;
    },
  };
}
