import { createHash, randomBytes } from 'node:crypto';
import { createInSchema, isolateByTenant, withTenant, type TenantDatabase } from '@agent-orchestrator/postgres';
import pg from 'pg';
import { GatewayError } from '../errors.js';
import { isTenantRole } from './token-claims.js';
import type { Role } from './roles.js';

/** Long enough to open a WebSocket right after asking; short enough that one seen in a log is already dead. */
export const ticketLifetimeSeconds = 30;

const ticketPattern = /^wst_[A-Za-z0-9_-]{43}$/;

/** Who a ticket lets in: the caller that asked for it, with the roles it had then. */
export interface TicketHolder {
  readonly tenantId: string;
  readonly subject: string;
  readonly roles: readonly Role[];
}

export interface IssuedTicket {
  readonly ticket: string;
  readonly expiresAt: string;
}

/** SHA-256, as for API keys: a ticket is 32 random bytes, so a fast hash leaves nothing to guess. */
const hashOf = (ticket: string) => createHash('sha256').update(ticket, 'utf8').digest();

const refused = (reason: string) => new GatewayError('InvalidToken', reason);

/**
 * Short-lived, single-use WebSocket tickets in `<schema>.ws_tickets`, stored as hashes. A browser
 * cannot set headers on a WebSocket, so it would otherwise put its API key or token in the URL,
 * where proxies and access logs keep it; a ticket found there later has been used or has expired.
 * The table is shared by every gateway process, and redeeming is one UPDATE, so a ticket opens
 * one socket even when two processes are offered it at once.
 *
 * The table is under row-level security: a ticket is issued as the application role in its
 * tenant's scope; it is redeemed before any tenant is known, through `ws_ticket_redeem`, a
 * SECURITY DEFINER function of the table's owner that touches the one presented ticket.
 */
export class WsTickets {
  private readonly table: string;
  private readonly redemption: string;

  constructor(
    private readonly database: TenantDatabase,
    private readonly schema: string,
  ) {
    this.table = `${pg.escapeIdentifier(schema)}.ws_tickets`;
    this.redemption = `${pg.escapeIdentifier(schema)}.ws_ticket_redeem`;
  }

  async migrate(): Promise<void> {
    await createInSchema(
      this.database.pool,
      `gateway-ws-tickets:${this.schema}`,
      this.schema,
      [
        `CREATE TABLE IF NOT EXISTS ${this.table} (
          ticket_hash bytea PRIMARY KEY CHECK (octet_length(ticket_hash) = 32),
          tenant_id   text NOT NULL,
          subject     text NOT NULL,
          roles       text[] NOT NULL,
          issued_at   timestamptz NOT NULL DEFAULT now(),
          expires_at  timestamptz NOT NULL,
          used_at     timestamptz)`,
        `CREATE INDEX IF NOT EXISTS ws_tickets_by_expiry ON ${this.table} (expires_at)`,
        // Marks the ticket used when it may still be, and otherwise shows it as it stands (the
        // second branch reads the table as it was before the statement's update).
        `CREATE OR REPLACE FUNCTION ${this.redemption}(presented_hash bytea)
          RETURNS TABLE (tenant_id text, subject text, roles text[], used_at timestamptz, expires_at timestamptz, redeemed boolean)
          LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
          AS $fn$
            WITH used AS (
              UPDATE ${this.table} SET used_at = now() WHERE ticket_hash = presented_hash AND used_at IS NULL AND expires_at > now()
              RETURNING tenant_id, subject, roles)
            SELECT u.tenant_id, u.subject, u.roles, NULL::timestamptz, NULL::timestamptz, true FROM used u
            UNION ALL
            SELECT t.tenant_id, t.subject, t.roles, t.used_at, t.expires_at, false FROM ${this.table} t
            WHERE t.ticket_hash = presented_hash AND NOT EXISTS (SELECT 1 FROM used)
          $fn$`,
        `REVOKE ALL ON FUNCTION ${this.redemption}(bytea) FROM PUBLIC`,
        `GRANT EXECUTE ON FUNCTION ${this.redemption}(bytea) TO ${pg.escapeIdentifier(this.database.appRole.name)}`,
      ],
      (client) => isolateByTenant(client, this.table, { appRole: this.database.appRole.name, privileges: ['SELECT', 'INSERT'] }),
    );
  }

  async issue(holder: TicketHolder): Promise<IssuedTicket> {
    const ticket = `wst_${randomBytes(32).toString('base64url')}`;
    // Tickets an hour past their expiry say nothing a client still needs ("expired" becomes "unknown"): every tenant's, as the owner.
    await this.database.pool.query(`DELETE FROM ${this.table} WHERE expires_at < now() - interval '1 hour'`);
    const inserted = await withTenant(this.database.tenantPool, holder.tenantId, (client) =>
      client.query<{ expires_at: Date }>(
        `INSERT INTO ${this.table} (ticket_hash, tenant_id, subject, roles, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))
         RETURNING expires_at`,
        [hashOf(ticket), holder.tenantId, holder.subject, [...holder.roles], ticketLifetimeSeconds],
      ),
    );
    return { ticket, expiresAt: inserted.rows[0]!.expires_at.toISOString() };
  }

  /** Marks the ticket used and answers who it lets in; a used, expired or unknown ticket is refused saying which. */
  async redeem(ticket: string): Promise<TicketHolder> {
    const askAgain = 'Ask POST /v1/ws-tickets for a new one right before opening the WebSocket.';
    if (!ticketPattern.test(ticket)) throw refused(`The ticket is not one this gateway issues. ${askAgain}`);
    const found = await this.database.tenantPool.query<{ tenant_id: string; subject: string; roles: string[]; used_at: Date | null; expires_at: Date | null; redeemed: boolean }>(
      `SELECT * FROM ${this.redemption}($1)`,
      [hashOf(ticket)],
    );
    const row = found.rows[0];
    if (row?.redeemed) return { tenantId: row.tenant_id, subject: row.subject, roles: row.roles.filter(isTenantRole) };
    if (row?.used_at) throw refused(`The ticket has already been used (at ${row.used_at.toISOString()}): a ticket opens one WebSocket. ${askAgain}`);
    if (row) throw refused(`The ticket expired at ${row.expires_at!.toISOString()}: tickets last ${ticketLifetimeSeconds} seconds. ${askAgain}`);
    throw refused(`The ticket is unknown. ${askAgain}`);
  }
}
