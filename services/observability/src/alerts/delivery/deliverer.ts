import { alertSignatureHeader } from '@agent-orchestrator/contracts';
import { currentEgress, egressErrorIn, type EgressGuard } from '@agent-orchestrator/egress';
import type { EventStore } from '@agent-orchestrator/event-store';
import type { SecretStore } from '@agent-orchestrator/secrets';
import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { AlertDeliveryConfig } from '../config.js';
import type { AlertDeliveryBody } from './delivery-outbox.js';
import { attemptsTable, deliveriesTable } from './delivery-outbox.js';
import { signatureHeader } from './signature.js';
import { readWebhookSetting } from './webhook-setting.js';

export interface DelivererDeps {
  readonly pool: pg.Pool;
  readonly schema: string;
  readonly store: EventStore;
  readonly secrets: SecretStore | undefined;
  readonly egress: EgressGuard;
  readonly config: AlertDeliveryConfig;
  readonly logger: Logger;
}

interface DueDelivery {
  event_id: string;
  tenant_id: string;
  body: AlertDeliveryBody;
  rounds: number;
  attempts: number;
}

/** A receiver's answer other than 2xx: worth another attempt. */
class ReceiverRefused extends Error {
  override readonly name = 'ReceiverRefused';
  constructor(readonly status: number) {
    super(`the receiver answered ${status}`);
  }
}

const maxDeliveriesPerRun = 20;
const dayMs = 24 * 3_600_000;

/**
 * Delivers the due rows of the outbox: each claimed for a lease (so two processes never post the
 * same row at once, and a process that dies mid-round leaves it to the next after the lease),
 * posted signed through the egress guard with the tenant's allow-list, retried with exponential
 * backoff within a round (cockatiel), every attempt recorded. A success ends the row for good; a
 * failed round schedules the next, further out each time, until the rounds run out.
 */
export async function deliverDue(deps: DelivererDeps): Promise<number> {
  const { config } = deps;
  const leaseMs = config.attempts * config.timeoutMs + config.backoffMs * 2 ** config.attempts + 5000;
  const deliveries = deliveriesTable(deps.schema);
  const { rows } = await deps.pool.query<DueDelivery>(
    `UPDATE ${deliveries} SET next_attempt_at = now() + make_interval(secs => $1::float8 / 1000)
      WHERE event_id IN (SELECT event_id FROM ${deliveries} WHERE status = 'pending' AND next_attempt_at <= now() ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
      RETURNING event_id, tenant_id, body, rounds, attempts`,
    [leaseMs, maxDeliveriesPerRun],
  );
  for (const row of rows) await deliverOne(deps, row);
  return rows.length;
}

async function deliverOne(deps: DelivererDeps, row: DueDelivery): Promise<void> {
  const { pool, schema, config } = deps;
  const deliveries = deliveriesTable(schema);
  const setting = await readWebhookSetting(deps.secrets, row.tenant_id);
  if (setting === undefined) {
    await pool.query(`UPDATE ${deliveries} SET status = 'skipped', last_error = 'no alert webhook is set' WHERE event_id = $1`, [row.event_id]);
    return;
  }
  const { allow } = await currentEgress(deps.store, row.tenant_id);
  const rawBody = JSON.stringify(row.body);
  let attempt = row.attempts;
  const record = (outcome: 'delivered' | 'failed' | 'refused', statusCode: number | null, error: string | null) =>
    pool.query(`INSERT INTO ${attemptsTable(schema)} (event_id, attempt, tenant_id, url, outcome, status_code, error) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [row.event_id, attempt, row.tenant_id, setting.url, outcome, statusCode, error]);

  // A refusal by the egress guard is the tenant's configuration, not a passing failure: no retry this round.
  const policy = retry(
    handleWhen((error) => egressErrorIn(error) === undefined),
    { maxAttempts: config.attempts - 1, backoff: new ExponentialBackoff({ initialDelay: config.backoffMs, maxDelay: config.backoffMs * 2 ** config.attempts }) },
  );
  try {
    await policy.execute(async () => {
      attempt++;
      try {
        const timestamp = Math.floor(Date.now() / 1000);
        const { response } = await deps.egress.fetch(
          setting.url,
          {
            method: 'POST',
            body: rawBody,
            headers: { 'content-type': 'application/json', [alertSignatureHeader]: signatureHeader(setting.secret, rawBody, timestamp), 'x-ao-delivery': row.event_id },
            signal: AbortSignal.timeout(config.timeoutMs),
          },
          { allow, maxRedirects: 0 },
        );
        await response.body?.cancel();
        if (response.status < 200 || response.status >= 300) throw new ReceiverRefused(response.status);
        await record('delivered', response.status, null);
      } catch (error) {
        const refused = egressErrorIn(error);
        await record(refused ? 'refused' : 'failed', error instanceof ReceiverRefused ? error.status : null, (refused ?? (error as Error)).message.slice(0, 500));
        throw error;
      }
    });
    await pool.query(`UPDATE ${deliveries} SET status = 'delivered', delivered_at = now(), attempts = $2, last_error = NULL WHERE event_id = $1`, [row.event_id, attempt]);
  } catch (error) {
    const rounds = row.rounds + 1;
    const reason = (egressErrorIn(error) ?? (error as Error)).message.slice(0, 500);
    const waitMs = Math.min(config.redeliveryMs * 2 ** (rounds - 1), dayMs);
    await pool.query(
      `UPDATE ${deliveries} SET rounds = $2::int, attempts = $3, last_error = $4, status = CASE WHEN $2::int >= $5::int THEN 'failed' ELSE 'pending' END,
         next_attempt_at = now() + make_interval(secs => $6::float8 / 1000) WHERE event_id = $1`,
      [row.event_id, rounds, attempt, reason, config.maxRounds, waitMs],
    );
    deps.logger.warn({ eventId: row.event_id, tenantId: row.tenant_id, rounds, reason }, 'alert webhook delivery failed; it is tried again later');
  }
}
