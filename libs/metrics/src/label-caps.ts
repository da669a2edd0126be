/** The value a label takes once its cap of distinct values is reached. */
export const otherLabelValue = 'other';

/** How many distinct values each free-form label keeps in one process before folding the rest into `other`. */
export interface LabelCapLimits {
  readonly tenant: number;
  readonly model: number;
  readonly agent: number;
  readonly tool: number;
  readonly consumer: number;
  readonly projection: number;
}

export type CappedLabel = keyof LabelCapLimits;

export const defaultLabelCaps: LabelCapLimits = { tenant: 100, model: 30, agent: 50, tool: 100, consumer: 50, projection: 30 };

/** Longer values are cut: a label value is a name, never a payload. */
const maxValueLength = 80;

/**
 * Guards the series count. Each free-form label (tenants, models, agents, tools: things tenants
 * register) keeps the first `limit` distinct values it sees, process-wide and across families,
 * so a tenant's series are the same set in every family; any later value is reported as `other`.
 * Every series stays, so sums over a family remain exact; only the split of the late values is
 * lost. Bounded enums (status, outcome, token type) need no cap and do not pass through here.
 */
export class LabelCaps {
  private readonly seen = new Map<CappedLabel, Set<string>>();

  constructor(private readonly limits: LabelCapLimits = defaultLabelCaps) {}

  fold(label: CappedLabel, raw: string): string {
    const value = raw.length === 0 ? 'unknown' : raw.slice(0, maxValueLength);
    let values = this.seen.get(label);
    if (values === undefined) {
      values = new Set();
      this.seen.set(label, values);
    }
    if (values.has(value)) return value;
    if (values.size >= this.limits[label]) return otherLabelValue;
    values.add(value);
    return value;
  }
}
