/** What a consumer or projection says of itself when readiness asks. */
export interface ReadinessReading {
  /** Messages or events not yet handled. */
  readonly lag: number;
  /** Anything that changes when it handles something (an offset, a position, a count): unchanged while behind means not advancing. */
  readonly position?: string | number | undefined;
  /** Since when the work in hand has been under way (retries included); undefined when idle. */
  readonly handlingSince?: Date | undefined;
  readonly quarantined?: number;
  /** What the process is among its peers for this work (the relay: `leader` or `standby`). */
  readonly role?: string;
}

export type ReadinessKind = 'consumer' | 'projection' | 'relay';

export interface ReadinessCheck {
  readonly name: string;
  readonly kind: ReadinessKind;
  readonly lag: number;
  /** Behind and not advancing for longer than the stall threshold. */
  readonly stalled: boolean;
  readonly quarantined: number;
  readonly role?: string;
  /** Why the check could not be read (then it counts as stalled). */
  readonly error?: string;
}

export interface ReadinessReport {
  readonly status: 'ready' | 'not_ready';
  readonly checks: readonly ReadinessCheck[];
}

interface Registered {
  readonly name: string;
  readonly kind: ReadinessKind;
  readonly read: () => Promise<ReadinessReading>;
  /** The last position seen and since when it has been seen while behind. */
  last?: { readonly position: string | number | undefined; readonly behindSince: number };
}

/**
 * What a process runs, for `/readyz`: consumers and projection runners register here, and every
 * service gets the endpoint without wiring its own. A check is stalled when it is behind and has
 * either held the same work for longer than `stallAfterMs` or shown the same position, behind,
 * on readings that long apart. Quarantined events are listed but do not make a process unready:
 * the projection has moved on past them.
 */
export class Readiness {
  private readonly checks = new Map<string, Registered>();

  constructor(
    readonly stallAfterMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Registers a check under a unique name; the returned function removes it (a stopped consumer). */
  register(name: string, kind: ReadinessKind, read: () => Promise<ReadinessReading>): () => void {
    const registered: Registered = { name, kind, read };
    this.checks.set(name, registered);
    return () => {
      if (this.checks.get(name) === registered) this.checks.delete(name);
    };
  }

  async report(): Promise<ReadinessReport> {
    const checks = await Promise.all([...this.checks.values()].map((check) => this.check(check)));
    checks.sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
    return { status: checks.some((check) => check.stalled) ? 'not_ready' : 'ready', checks };
  }

  private async check(check: Registered): Promise<ReadinessCheck> {
    const { name, kind } = check;
    let reading: ReadinessReading;
    try {
      reading = await check.read();
    } catch (error) {
      return { name, kind, lag: 0, stalled: true, quarantined: 0, error: error instanceof Error ? error.message : String(error) };
    }
    const now = this.now();
    const behind = reading.lag > 0;
    const sameAsLast = check.last !== undefined && check.last.position === reading.position;
    check.last = behind ? { position: reading.position, behindSince: sameAsLast ? check.last!.behindSince : now } : undefined;
    const busyTooLong = reading.handlingSince !== undefined && now - reading.handlingSince.getTime() > this.stallAfterMs;
    const stuck = check.last !== undefined && now - check.last.behindSince > this.stallAfterMs;
    return { name, kind, lag: reading.lag, stalled: behind && (busyTooLong || stuck), quarantined: reading.quarantined ?? 0, ...(reading.role === undefined ? {} : { role: reading.role }) };
  }
}
