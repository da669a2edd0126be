import type { AppRole } from '@agent-orchestrator/postgres';
import { DataSource } from 'typeorm';
import { ApprovalQueries } from './approvals/approval-queries.js';
import { approvalsTableName } from './approvals/approvals.js';
import { ModelCallQueries, modelCallsTable } from './model-calls/model-calls.js';
import { ParkedCallQueries, parkedCallsTableName } from './parked-calls/parked-calls.js';
import { SessionQueries } from './sessions/session-queries.js';
import { sessionsTables, type SessionsTables } from './sessions/sessions-tables.js';
import { TenantStatusQueries } from './tenants/tenant-statuses.js';

/** The read models of one schema, for the process that projects them or the one that serves them. */
export interface ReadModels {
  readonly dataSource: DataSource;
  readonly schema: string;
  readonly sessions: SessionsTables;
  readonly sessionQueries: SessionQueries;
  readonly modelCallQueries: ModelCallQueries;
  readonly approvalQueries: ApprovalQueries;
  readonly tenantStatusQueries: TenantStatusQueries;
  readonly parkedCallQueries: ParkedCallQueries;
  close(): Promise<void>;
}

/**
 * The read models at `url`, as the migration role that projects them; or, with `asAppRole`, as the
 * application role that serves them to tenants (the gateway), under row-level security. The
 * application role may not create the schema: the projecting process does.
 */
export async function openReadModels(options: { readonly url: string; readonly schema: string; readonly poolSize?: number; readonly asAppRole?: AppRole }): Promise<ReadModels> {
  const sessions = sessionsTables(options.schema);
  const modelCalls = modelCallsTable(options.schema);
  const connection = options.asAppRole?.connection ?? { connectionString: options.url };
  const dataSource = await new DataSource({
    type: 'postgres',
    url: connection.connectionString,
    // TypeORM hands `extra` to pg's pool: the startup options that switch to the application role.
    ...(connection.options === undefined ? {} : { extra: { options: connection.options } }),
    schema: options.schema,
    poolSize: options.poolSize ?? 6,
    entities: [...sessions.entities, modelCalls],
  }).initialize();
  if (!options.asAppRole) await dataSource.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
  return {
    dataSource,
    schema: options.schema,
    sessions,
    sessionQueries: new SessionQueries(dataSource, sessions, approvalsTableName(options.schema), parkedCallsTableName(options.schema)),
    modelCallQueries: new ModelCallQueries(dataSource, modelCalls),
    approvalQueries: new ApprovalQueries(dataSource, options.schema),
    tenantStatusQueries: new TenantStatusQueries(dataSource, options.schema),
    parkedCallQueries: new ParkedCallQueries(dataSource, options.schema),
    close: () => dataSource.destroy(),
  };
}
