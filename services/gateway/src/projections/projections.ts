import { readProjectionStatuses, type ProjectionStatusRecord, type StallLimits, type StatusQueryable } from '@agent-orchestrator/projections';

/**
 * The projections' status rows as the API serves them. `projection_status` holds positions and
 * counts, no tenant's data: it is read as the application role without a tenant scope (the
 * process hosting the projections grants it SELECT), and every caller allowed sees every row.
 */
export class Projections {
  constructor(
    private readonly db: StatusQueryable,
    private readonly schema: string,
    private readonly limits: StallLimits,
  ) {}

  async list(): Promise<{ items: ProjectionStatusRecord[] }> {
    try {
      return { items: await readProjectionStatuses(this.db, this.schema, this.limits) };
    } catch (error) {
      // No process has hosted a projection yet: the table is not there, and there is nothing to list.
      if ((error as { code?: string }).code === '42P01') return { items: [] };
      throw error;
    }
  }
}
