import type { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';
import { sessionIdSchema, type SessionStatus } from '@agent-orchestrator/contracts';
import { inTenantScope } from '../tenant-scope.js';
import { sqlTableNames, type SessionRecord, type SessionStepRecord, type SessionsTables } from './sessions-tables.js';

/** A session with its steps in plan order. */
export type SessionDetail = SessionRecord & { readonly steps: readonly SessionStepRecord[] };

/** What a listing shows of a session: everything but the plan and the result, which can be large. */
export type SessionSummary = Omit<SessionRecord, 'plan' | 'result'>;

export interface ListSessionsQuery {
  readonly status?: SessionStatus;
  /** Inclusive: sessions started at or after this instant. */
  readonly startedAfter?: Date;
  /** Exclusive: sessions started before this instant. */
  readonly startedBefore?: Date;
  /** Sessions whose goal contains this text, ignoring case; `%`, `_` and `\` match themselves. At most `maxGoalSearchLength` characters. */
  readonly goalContains?: string;
  /** 1 to `maxPageSize`. */
  readonly limit: number;
  /** `nextCursor` of the previous page, with the same filters. */
  readonly cursor?: string;
}

export interface SessionPage {
  readonly items: readonly SessionSummary[];
  /** Null on the last page. */
  readonly nextCursor: string | null;
}

export const maxPageSize = 100;

/** Longer than any word a person searches for, short enough that a search is never a costly pattern. */
export const maxGoalSearchLength = 200;

/**
 * Why a query was refused. The gateway maps both to 400; compare `code`, not the class.
 * - InvalidLimit: a page size outside 1..maxPageSize.
 * - InvalidCursor: a cursor this model did not hand out.
 * - InvalidSearch: goal text that is empty or longer than maxGoalSearchLength.
 */
export const sessionQueryErrorCodes = ['InvalidLimit', 'InvalidCursor', 'InvalidSearch'] as const;
export type SessionQueryErrorCode = (typeof sessionQueryErrorCodes)[number];

export class SessionQueryError extends Error {
  override readonly name = 'SessionQueryError';

  constructor(
    readonly code: SessionQueryErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Where a page ended, in the listing's order (started_at desc, session_id desc). */
// The session id as the log spells it: a forged cursor carrying other text (a NUL) never reaches SQL.
const cursorSchema = z.strictObject({ startedAt: z.iso.datetime(), sessionId: sessionIdSchema });
type Cursor = z.infer<typeof cursorSchema>;

const encodeCursor = (cursor: Cursor): string => Buffer.from(JSON.stringify(cursor)).toString('base64url');

function decodeCursor(cursor: string): Cursor {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new SessionQueryError('InvalidCursor', 'the cursor is not one a session listing returned');
  }
}

const summaryColumns = [
  'sessionId',
  'tenantId',
  'status',
  'goal',
  'constraints',
  'failureReason',
  'inputTokens',
  'outputTokens',
  'costUsd',
  'stepsTotal',
  'stepsCompleted',
  'reviewRound',
  'reworkCount',
  'startedAt',
  'updatedAt',
  'endedAt',
  'lastStreamVersion',
  'quarantinedEvents',
  'forkedFrom',
] as const satisfies readonly (keyof SessionSummary)[];

/**
 * Reads the sessions read model for the gateway. Every query is scoped to the caller's tenant, by
 * its WHERE clause and by running in the tenant's scope (row-level security, on the application
 * role's connection): another tenant's session reads as missing, never as forbidden, so ids do not
 * leak. The DataSource must have `tables.entities` among its entities.
 */
export class SessionQueries {
  /**
   * @param approvalsTable the approvals read model beside these tables: a running session with a
   * pending approval is listed as `awaiting_approval`, not `running`. Without it the statuses are
   * the session log's alone.
   */
  constructor(
    private readonly db: DataSource | EntityManager,
    private readonly tables: SessionsTables,
    private readonly approvalsTable?: string,
  ) {}

  async getSession(tenantId: string, sessionId: string): Promise<SessionDetail | null> {
    const found = await inTenantScope(this.db, tenantId, async (db) => {
      const session = await db.getRepository(this.tables.sessions).findOneBy({ tenantId, sessionId });
      return session && { session, steps: await db.getRepository(this.tables.sessionSteps).findBy({ tenantId, sessionId }) };
    });
    if (!found) return null;
    const { session, steps } = found;
    const order = new Map(session.plan?.steps.map((step, index) => [step.stepId, index]));
    steps.sort((a, b) => (order.get(a.stepId) ?? Infinity) - (order.get(b.stepId) ?? Infinity));
    return { ...session, steps };
  }

  /** Sessions of every tenant that have not ended, oldest first: what the timeout sweep looks at (on the owner's connection: the application role sees none). */
  async liveSessions(limit: number): Promise<{ sessionId: string; tenantId: string }[]> {
    return this.db
      .getRepository(this.tables.sessions)
      .createQueryBuilder('s')
      .select(['s.sessionId', 's.tenantId'])
      .where('s.endedAt IS NULL')
      .orderBy('s.updatedAt', 'ASC')
      .limit(limit)
      .getMany();
  }

  /** The ids of one tenant's sessions that have not ended, paused or not: what a change of its status applies to. */
  async liveSessionsOf(tenantId: string): Promise<string[]> {
    const rows = await this.db.getRepository(this.tables.sessions).createQueryBuilder('s').select(['s.sessionId']).where('s.tenantId = :tenantId AND s.endedAt IS NULL', { tenantId }).getMany();
    return rows.map((row) => row.sessionId);
  }

  async listSessions(tenantId: string, query: ListSessionsQuery): Promise<SessionPage> {
    const { limit } = query;
    if (!Number.isInteger(limit) || limit < 1 || limit > maxPageSize) {
      throw new SessionQueryError('InvalidLimit', `a page holds 1 to ${maxPageSize} sessions; asked for ${limit}`);
    }
    const { goalContains } = query;
    if (goalContains !== undefined && (goalContains.length === 0 || goalContains.length > maxGoalSearchLength)) {
      throw new SessionQueryError('InvalidSearch', `a goal search is 1 to ${maxGoalSearchLength} characters; got ${goalContains.length}`);
    }
    const rows = await inTenantScope(this.db, tenantId, (db) => this.listing(db, tenantId, query));
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    const nextCursor = rows.length > limit && last ? encodeCursor({ startedAt: last.startedAt.toISOString(), sessionId: last.sessionId }) : null;
    return { items, nextCursor };
  }

  /**
   * How many of the tenant's sessions are in each status, as the listing names them (a running
   * session with a pending approval counts as awaiting_approval). Statuses with none are absent.
   */
  async countByStatus(tenantId: string): Promise<Partial<Record<SessionStatus, number>>> {
    const { sessions } = sqlTableNames(this.tables);
    const pending = this.approvalsTable && `EXISTS (SELECT 1 FROM ${this.approvalsTable} a WHERE a.tenant_id = s.tenant_id AND a.session_id = s.session_id AND a.status = 'pending')`;
    const status = pending ? `CASE WHEN s.status = 'running' AND ${pending} THEN 'awaiting_approval' ELSE s.status END` : 's.status';
    const rows: { status: SessionStatus; count: number }[] = await inTenantScope(this.db, tenantId, (db) =>
      db.query(`SELECT ${status} AS status, count(*)::int AS count FROM ${sessions} s WHERE s.tenant_id = $1 GROUP BY 1`, [tenantId]),
    );
    return Object.fromEntries(rows.map((row) => [row.status, row.count]));
  }

  /** The page's rows and one more, which says whether another page follows. */
  private listing(db: EntityManager, tenantId: string, query: ListSessionsQuery): Promise<SessionRecord[]> {
    const { status, startedAfter, startedBefore, goalContains, limit, cursor } = query;
    const listing = db
      .getRepository(this.tables.sessions)
      .createQueryBuilder('s')
      .select(summaryColumns.map((column) => `s.${column}`))
      .where('s.tenantId = :tenantId', { tenantId });
    if (status !== undefined) {
      // The log never says awaiting_approval: that is a running session with a pending approval.
      const pending = this.approvalsTable && `EXISTS (SELECT 1 FROM ${this.approvalsTable} a WHERE a.tenant_id = s.tenantId AND a.session_id = s.sessionId AND a.status = 'pending')`;
      if (pending && status === 'awaiting_approval') listing.andWhere(`s.status = 'running' AND ${pending}`);
      else if (pending && status === 'running') listing.andWhere(`s.status = 'running' AND NOT ${pending}`);
      else listing.andWhere('s.status = :status', { status });
    }
    if (startedAfter !== undefined) listing.andWhere('s.startedAt >= :startedAfter', { startedAfter });
    if (startedBefore !== undefined) listing.andWhere('s.startedAt < :startedBefore', { startedBefore });
    if (goalContains !== undefined) {
      // The text is a substring, not a pattern: LIKE's wildcards and its escape are escaped.
      listing.andWhere(`s.goal ILIKE :goalPattern ESCAPE '\\'`, { goalPattern: `%${goalContains.replace(/[\\%_]/g, (character) => `\\${character}`)}%` });
    }
    if (cursor !== undefined) {
      const after = decodeCursor(cursor);
      listing.andWhere('(s.startedAt, s.sessionId) < (CAST(:cursorStartedAt AS timestamptz), :cursorSessionId)', {
        cursorStartedAt: after.startedAt,
        cursorSessionId: after.sessionId,
      });
    }
    return listing
      .orderBy('s.startedAt', 'DESC')
      .addOrderBy('s.sessionId', 'DESC')
      .limit(limit + 1)
      .getMany();
  }
}
