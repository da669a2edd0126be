import type { EgressGuard } from '@agent-orchestrator/egress';
import type { TenantDatabase } from '@agent-orchestrator/postgres';
import type { Logger } from 'pino';
import type { ApiKeys } from '../api-keys/api-keys.js';
import type { GatewayConfig } from '../config.js';
import { isGatewayError } from '../errors.js';
import { RoleMappings } from '../role-mapping/role-mappings.js';
import type { Tenancy } from '../tenants/tenancy.js';
import { Credentials } from './credentials.js';
import { TokenVerifier } from './tokens.js';
import { WsTickets } from './ws-tickets.js';

export interface Authentication {
  readonly credentials: Credentials;
  readonly tickets: WsTickets;
  readonly roleMappings: RoleMappings;
}

/** API keys, access tokens of the configured issuers, WebSocket tickets and role mappings, their tables migrated. */
export async function openAuthentication(
  database: TenantDatabase,
  config: GatewayConfig,
  deps: { readonly apiKeys: ApiKeys; readonly egress: EgressGuard; readonly logger: Logger; readonly tenancy: Pick<Tenancy, 'tenants' | 'adminLog'> },
): Promise<Authentication> {
  const roleMappings = new RoleMappings(database, config.schema, deps.tenancy.adminLog);
  await roleMappings.migrate();
  const tickets = new WsTickets(database, config.schema);
  await tickets.migrate();
  const tokens = new TokenVerifier(config.oidc, deps.egress, deps.logger);
  const tenantIsKnown = (tenantId: string) =>
    deps.tenancy.tenants.get(tenantId).then(
      () => true,
      (error: unknown) => (isGatewayError(error, 'NotFound') ? false : Promise.reject(error)),
    );
  return { credentials: new Credentials({ apiKeys: deps.apiKeys, tokens, roleMappings, tenantIsKnown }), tickets, roleMappings };
}
