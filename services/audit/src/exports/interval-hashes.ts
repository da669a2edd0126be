import type { AuditTables } from '@agent-orchestrator/audit-store';
import type pg from 'pg';
import { appendLeaf, emptyRange, rootOfRange } from '../tree/compact-range.js';

const pageSize = 20_000;

/**
 * MTH of the tenant's leaves [lo, hi), from the stored leaf hashes read in order a page at a
 * time and folded into a compact range: O(log n) memory whatever the interval. Recent answers are
 * kept, since neighbouring inclusion proofs share most of their subtrees.
 */
export class IntervalHashes {
  private readonly memo = new Map<string, string>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly tables: AuditTables,
    private readonly tenantId: string,
  ) {}

  async hashOf([lo, hi]: readonly [number, number]): Promise<string> {
    const key = `${lo}:${hi}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    let range = emptyRange;
    for (let from = lo; from < hi; from += pageSize) {
      const to = Math.min(hi, from + pageSize);
      const { rows } = await this.pool.query<{ leaf_hash: Buffer }>(`SELECT leaf_hash FROM ${this.tables.leaves} WHERE tenant_id = $1 AND position >= $2 AND position < $3 ORDER BY position`, [this.tenantId, from, to]);
      if (rows.length !== to - from) throw new Error(`the tree of tenant ${this.tenantId} lacks leaves in [${from}, ${to}): its leaves table was changed; rebuild it from the log`);
      for (const row of rows) range = appendLeaf(range, row.leaf_hash);
    }
    const hash = rootOfRange(range).toString('hex');
    if (this.memo.size > 10_000) this.memo.clear();
    this.memo.set(key, hash);
    return hash;
  }

  all(intervals: ReadonlyArray<readonly [number, number]>): Promise<string[]> {
    return Promise.all(intervals.map((interval) => this.hashOf(interval)));
  }
}
