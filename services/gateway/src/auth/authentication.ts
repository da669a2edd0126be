import type { EgressGuard } from '@agent-orchestrator/egress';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { AdminLog } from '../admin/admin-log.js';
import type { ApiKeys } from '../api-keys/api-keys.js';
import type { GatewayConfig } from '../config.js';
import { RoleMappings } from '../role-mapping/role-mappings.js';
import { Credentials } from './credentials.js';
import { TokenVerifier } from './tokens.js';
import { WsTickets } from './ws-tickets.js';

export interface Authentication {
  readonly credentials: Credentials;
  readonly tickets: WsTickets;
  readonly roleMappings: RoleMappings;
  /** Whether role mappings can be changed: only where the admin log records each change. */
  readonly roleMappingsWritable: boolean;
}

/** API keys, access tokens of the configured issuers, WebSocket tickets and role mappings, their tables migrated. */
export async function openAuthentication(
  pool: pg.Pool,
  config: GatewayConfig,
  deps: { readonly apiKeys: ApiKeys; readonly egress: EgressGuard; readonly logger: Logger; readonly adminLog: AdminLog | undefined },
): Promise<Authentication> {
  const roleMappings = new RoleMappings(pool, config.schema, deps.adminLog);
  await roleMappings.migrate();
  const tickets = new WsTickets(pool, config.schema);
  await tickets.migrate();
  const tokens = new TokenVerifier(config.oidc, deps.egress, deps.logger);
  return { credentials: new Credentials({ apiKeys: deps.apiKeys, tokens, roleMappings }), tickets, roleMappings, roleMappingsWritable: deps.adminLog !== undefined };
}
