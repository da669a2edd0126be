import { DataSource } from 'typeorm';
import { ApprovalQueries, approvalsTableName } from './approvals/approvals.js';
import { ModelCallQueries, modelCallsTable } from './model-calls/model-calls.js';
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
  close(): Promise<void>;
}

export async function openReadModels(options: { readonly url: string; readonly schema: string; readonly poolSize?: number }): Promise<ReadModels> {
  const sessions = sessionsTables(options.schema);
  const modelCalls = modelCallsTable(options.schema);
  const dataSource = await new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    poolSize: options.poolSize ?? 6,
    entities: [...sessions.entities, modelCalls],
  }).initialize();
  await dataSource.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
  return {
    dataSource,
    schema: options.schema,
    sessions,
    sessionQueries: new SessionQueries(dataSource, sessions, approvalsTableName(options.schema)),
    modelCallQueries: new ModelCallQueries(dataSource, modelCalls),
    approvalQueries: new ApprovalQueries(dataSource, options.schema),
    tenantStatusQueries: new TenantStatusQueries(dataSource, options.schema),
    close: () => dataSource.destroy(),
  };
}
