import { analysisRunId, parseStreamName, priceOf, pricesStream, streamCategories, type EventEnvelope, type PriceTable } from '@agent-orchestrator/contracts';
import type { Projection, ProjectionTables } from '@agent-orchestrator/projections';
import type { EntityManager } from 'typeorm';
import { migrateUsageTables, usageTableNames, usageTables, type UsageTables } from './usage-tables.js';

type Usage = { readonly inputTokens: number; readonly outputTokens: number; readonly costUsd: number };

/** What the row of a run says when its AgentRunStarted was never seen (a log cut short): the call is still counted. */
export const unknownAgent = '(unknown)';

/**
 * The usage read model: every model call's tokens and cost by tenant, session, agent, model, tool
 * and day, with the runs and tool answers the dashboard counts failures from.
 *
 * A session's analysis ("Analyze with an LLM") counts as a run of its Analyst on the analysed
 * session (`analysisRunId`): its model call is a row when its findings or its failure record
 * tokens; a refused analysis made no call and is a failed run with none.
 *
 * Cost is not the runtime's: it is computed here from the recorded tokens and the price version in
 * effect at the call's time (`usage_price_versions`, from `ModelPricesSet`), as
 * round((input * inputUsdPerMillion + output * outputUsdPerMillion) / 1e6, 9). A version that
 * arrives later in the log reprices the calls it covers, so the model is the same whether built
 * live or rebuilt, and a rebuild after a price correction follows the correction. A call no
 * version prices (before the first, or a model absent with no `*`) keeps the runtime's recorded
 * cost, with no price version.
 */
export class UsageProjection implements Projection {
  readonly name = 'usage';
  // 2: analyses' model calls are counted (a stored version 1 is rebuilt, so past analyses are too).
  readonly version = 2;
  readonly readModelTables: ProjectionTables;
  private readonly tables: UsageTables;

  /** @param appRole the role the gateway reads the tenant tables as, one tenant at a time; without it only the owner may read them. */
  constructor(
    private readonly schema: string,
    private readonly appRole?: string,
  ) {
    this.tables = usageTables(schema);
    this.readModelTables = { schema, names: [...usageTableNames] };
  }

  inSchema(schema: string): UsageProjection {
    return new UsageProjection(schema, this.appRole);
  }

  async setUp(manager: EntityManager): Promise<void> {
    await migrateUsageTables(manager, this.schema, this.appRole);
  }

  async reset(manager: EntityManager): Promise<void> {
    const { calls, runs, toolCalls, priceVersions } = this.tables;
    await manager.query(`TRUNCATE ${calls}, ${runs}, ${toolCalls}, ${priceVersions}`);
  }

  async apply(event: EventEnvelope, manager: EntityManager): Promise<void> {
    if (event.type === 'ModelPricesSet') {
      if (event.streamId === pricesStream) await this.pricesSet(event, manager);
      return;
    }
    const { category } = parseStreamName(event.streamId);
    if (category === streamCategories.agentRun) await this.runEvent(event, manager);
    else if (category === streamCategories.analysis) await this.analysisEvent(event, manager);
    else if (category === streamCategories.toolCall && (event.type === 'ToolCallCompleted' || event.type === 'ToolCallFailed')) {
      const { sessionId, runId, tool } = event.data as { sessionId: string; runId: string; tool: string };
      await manager.query(
        `INSERT INTO ${this.tables.toolCalls} (event_id, tenant_id, session_id, run_id, tool, outcome, occurred_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id) DO NOTHING`,
        [event.eventId, event.tenantId, sessionId, runId, tool, event.type === 'ToolCallCompleted' ? 'completed' : 'failed', event.occurredAt],
      );
    }
  }

  private async runEvent(event: EventEnvelope, manager: EntityManager): Promise<void> {
    const runId = parseStreamName(event.streamId).id;
    const { calls, runs } = this.tables;
    switch (event.type) {
      case 'AgentRunStarted': {
        const { sessionId, agent } = event.data as { sessionId: string; agent: string };
        await manager.query(
          `INSERT INTO ${runs} (run_id, tenant_id, session_id, agent, status, started_at) VALUES ($1, $2, $3, $4, 'running', $5) ON CONFLICT (run_id) DO NOTHING`,
          [runId, event.tenantId, sessionId, agent, event.occurredAt],
        );
        return;
      }
      case 'ModelResponded': {
        const { sessionId, turn, model, usage } = event.data as { sessionId: string; turn: number; model: string; usage: Usage };
        await this.modelCall(manager, event, { sessionId, runId, turn, model, usage });
        return;
      }
      case 'ToolCallRequested': {
        // The tool the turn asked for: the run's latest call. A turn asking for several is counted under the first.
        const { tool } = event.data as { tool: string };
        await manager.query(`UPDATE ${calls} SET tool = $2 WHERE event_id = (SELECT event_id FROM ${calls} WHERE run_id = $1 ORDER BY turn DESC, global_position DESC LIMIT 1) AND tool IS NULL`, [runId, tool]);
        return;
      }
      case 'AgentRunCompleted':
      case 'AgentRunFailed':
        await manager.query(`UPDATE ${runs} SET status = $2, ended_at = $3 WHERE run_id = $1`, [runId, event.type === 'AgentRunCompleted' ? 'completed' : 'failed', event.occurredAt]);
        return;
      default:
        return;
    }
  }

  /** An analysis of a session, on its `analysis-<sessionId>` stream: a run of the Analyst with at most one model call. */
  private async analysisEvent(event: EventEnvelope, manager: EntityManager): Promise<void> {
    const { sessionId, analysisId } = event.data as { sessionId: string; analysisId: string };
    const runId = analysisRunId(sessionId, analysisId);
    const ended = (status: 'completed' | 'failed') => manager.query(`UPDATE ${this.tables.runs} SET status = $2, ended_at = $3 WHERE run_id = $1`, [runId, status, event.occurredAt]);
    switch (event.type) {
      case 'SessionAnalysisStarted': {
        const { analyst } = event.data as { analyst: string };
        await manager.query(
          `INSERT INTO ${this.tables.runs} (run_id, tenant_id, session_id, agent, status, started_at) VALUES ($1, $2, $3, $4, 'running', $5) ON CONFLICT (run_id) DO NOTHING`,
          [runId, event.tenantId, sessionId, analyst, event.occurredAt],
        );
        return;
      }
      case 'SessionAnalysisRecorded':
      case 'SessionAnalysisFailed': {
        const { model, usage } = event.data as { model: string; usage: Usage };
        // A model that failed before answering used nothing: no call to count.
        if (usage.inputTokens + usage.outputTokens > 0 || usage.costUsd > 0) await this.modelCall(manager, event, { sessionId, runId, turn: 0, model, usage });
        await ended(event.type === 'SessionAnalysisRecorded' ? 'completed' : 'failed');
        return;
      }
      case 'SessionAnalysisRefused':
        await ended('failed');
        return;
      default:
        return;
    }
  }

  /** One model call's row: its tokens as recorded, its cost at the price version in effect at its time (else the recorded cost). */
  private async modelCall(manager: EntityManager, event: EventEnvelope, call: { readonly sessionId: string; readonly runId: string; readonly turn: number; readonly model: string; readonly usage: Usage }): Promise<void> {
    const { calls, runs } = this.tables;
    const { sessionId, runId, turn, model, usage } = call;
    const priced = await this.priceAt(manager, model, event.occurredAt);
    await manager.query(
      `INSERT INTO ${calls} (event_id, tenant_id, session_id, run_id, turn, agent, model, occurred_at, day, input_tokens, output_tokens, recorded_cost_usd, cost_usd, price_version, global_position)
       VALUES ($1, $2, $3, $4::text, $5, coalesce((SELECT agent FROM ${runs} WHERE run_id = $4::text), $15), $6, $7::timestamptz, ($7::timestamptz AT TIME ZONE 'UTC')::date, $8::bigint, $9::bigint, $10::numeric,
         CASE WHEN $11::numeric IS NULL THEN $10::numeric ELSE round(($8::bigint * $11::numeric + $9::bigint * $12::numeric) / 1000000, 9) END, $13::int, $14)
       ON CONFLICT (event_id) DO NOTHING`,
      [event.eventId, event.tenantId, sessionId, runId, turn, model, event.occurredAt, usage.inputTokens, usage.outputTokens, usage.costUsd, priced?.input ?? null, priced?.output ?? null, priced?.version ?? null, event.globalPosition, unknownAgent],
    );
  }

  /** The version in effect at `at` and the model's price in it; undefined when none prices the model. */
  private async priceAt(manager: EntityManager, model: string, at: string): Promise<{ version: number; input: number; output: number } | undefined> {
    const [row] = (await manager.query(`SELECT version, prices FROM ${this.tables.priceVersions} WHERE effective_from <= $1 ORDER BY effective_from DESC, version DESC LIMIT 1`, [at])) as { version: number; prices: PriceTable }[];
    const price = row && priceOf(model, row.prices);
    return price && { version: row.version, input: price.inputUsdPerMillion, output: price.outputUsdPerMillion };
  }

  /** Records the version, then prices again every call it may cover (each by the version in effect at its time). */
  private async pricesSet(event: EventEnvelope, manager: EntityManager): Promise<void> {
    const { version, effectiveFrom, prices, source } = event.data as { version: number; effectiveFrom: string; prices: PriceTable; source: string };
    const { calls, priceVersions } = this.tables;
    await manager.query(`INSERT INTO ${priceVersions} (version, effective_from, prices, source, set_at) VALUES ($1, $2, $3::jsonb, $4, $5) ON CONFLICT (version) DO NOTHING`, [
      version,
      effectiveFrom,
      JSON.stringify(prices),
      source,
      event.occurredAt,
    ]);
    const inEffect = `(SELECT version FROM ${priceVersions} p WHERE p.effective_from <= c.occurred_at ORDER BY p.effective_from DESC, p.version DESC LIMIT 1)`;
    const pairs = (await manager.query(`SELECT DISTINCT c.model, ${inEffect} AS version FROM ${calls} c WHERE c.occurred_at >= $1`, [effectiveFrom])) as { model: string; version: number }[];
    if (pairs.length === 0) return;
    const tablesByVersion = new Map<number, PriceTable>(
      ((await manager.query(`SELECT version, prices FROM ${priceVersions} WHERE version = ANY($1::int[])`, [[...new Set(pairs.map((pair) => pair.version))]])) as { version: number; prices: PriceTable }[]).map((row) => [row.version, row.prices]),
    );
    const priced = pairs.map(({ model, version: inForce }) => {
      const price = priceOf(model, tablesByVersion.get(inForce) ?? {});
      return { model, version: inForce, input: price?.inputUsdPerMillion ?? null, output: price?.outputUsdPerMillion ?? null };
    });
    await manager.query(
      `UPDATE ${calls} c SET
         price_version = CASE WHEN x.input IS NULL THEN NULL ELSE x.version END,
         cost_usd = CASE WHEN x.input IS NULL THEN c.recorded_cost_usd ELSE round((c.input_tokens * x.input + c.output_tokens * x.output) / 1000000, 9) END
       FROM jsonb_to_recordset($2::jsonb) AS x(model text, version int, input numeric, output numeric)
       WHERE c.occurred_at >= $1 AND c.model = x.model AND x.version = ${inEffect}`,
      [effectiveFrom, JSON.stringify(priced)],
    );
  }
}
