import { platformAlertTenantId, type AlertRule, type AlertScope } from '@agent-orchestrator/contracts';

/**
 * The alert rules, pure: each turns what the platform reads (dead-letter counts, projection
 * states, pending approvals, a budget threshold crossed) into the conditions that hold now. A
 * condition is keyed by its rule and subject; `decideAlerts` raises a key that newly holds and
 * resolves an open one that no longer does.
 */
export interface AlertCondition {
  /** The rule and its subject: one alert at a time per key and scope. */
  readonly key: string;
  readonly rule: AlertRule;
  readonly scope: AlertScope;
  readonly severity: 'warning' | 'critical';
  readonly summary: string;
  readonly subject: Readonly<Record<string, string | number>>;
}

/** The tenant whose log an alert's events are in: the scope's, or the platform's. */
export function alertTenantOf(scope: AlertScope): string {
  return scope.kind === 'tenant' ? scope.tenantId : platformAlertTenantId;
}

const scopeOf = (tenantId: string | null): AlertScope => (tenantId === null ? { kind: 'platform' } : { kind: 'tenant', tenantId });

/**
 * One consumer group's dead letters in one tenant (null: of no tenant): how many became pending
 * within the growth window (new ones, and redriven ones that failed again), and how many are
 * pending now.
 */
export interface DeadLetterGrowth {
  readonly tenantId: string | null;
  readonly consumer: string;
  readonly arrivedInWindow: number;
  readonly pending: number;
}

export interface DeadLetterGrowthLimits {
  /** Dead letters arriving within one window that raise the alert. */
  readonly growth: number;
  readonly windowMs: number;
}

/**
 * A consumer's dead letters are growing: raised when at least `growth` arrived within the window
 * (ten times that is critical), resolved once a whole window passes with none arriving. A backlog
 * that sits still is not growth: it is the dead-letter list's to show, not an alarm's. Between the
 * two (an open alert, fewer than `growth` but some arriving) it stays open, so an alert does not
 * flap while a trickle continues; `openKeys` are the open dead-letter alerts as
 * `<tenant or "platform">:<key>`.
 */
export function deadLetterGrowthConditions(readings: readonly DeadLetterGrowth[], limits: DeadLetterGrowthLimits, openKeys: ReadonlySet<string>): AlertCondition[] {
  const keyOf = (reading: DeadLetterGrowth) => `dead-letters:${reading.consumer}`;
  const isOpen = (reading: DeadLetterGrowth) => openKeys.has(`${alertTenantOf(scopeOf(reading.tenantId))}:${keyOf(reading)}`);
  return readings
    .filter((reading) => reading.arrivedInWindow >= limits.growth || (reading.arrivedInWindow > 0 && isOpen(reading)))
    .map((reading) => ({
      key: keyOf(reading),
      rule: 'dead-letters',
      scope: scopeOf(reading.tenantId),
      severity: reading.arrivedInWindow >= limits.growth * 10 ? 'critical' : 'warning',
      summary: `Dead letters growing for consumer ${reading.consumer}: ${reading.arrivedInWindow} in the last ${duration(limits.windowMs)}, ${reading.pending} pending`,
      subject: { consumer: reading.consumer, arrivedInWindow: reading.arrivedInWindow, pending: reading.pending, growth: limits.growth, windowMs: limits.windowMs },
    }));
}

/** A projection's state as `projection_status` reads (projectionState). */
export interface ProjectionReading {
  readonly projection: string;
  readonly state: 'running' | 'caught-up' | 'stalled' | 'rebuilding';
  readonly lag: number;
}

/** A stalled projection is the platform's: every tenant's read model behind it stops moving. */
export function stalledProjectionConditions(readings: readonly ProjectionReading[]): AlertCondition[] {
  return readings
    .filter((reading) => reading.state === 'stalled')
    .map((reading) => ({
      key: `projection-stalled:${reading.projection}`,
      rule: 'projection-stalled',
      scope: { kind: 'platform' },
      severity: 'critical',
      summary: `Projection ${reading.projection} is stalled, ${reading.lag} events behind`,
      subject: { projection: reading.projection, lag: reading.lag },
    }));
}

/** A wait as a person reads it: "40 s", "75 min", "5 h". */
function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
}

export interface PendingApproval {
  readonly approvalId: string;
  readonly tenantId: string;
  readonly tool: string;
  readonly requestedAt: Date;
}

/** An approval pending longer than the SLA; resolved once it is decided or expires. */
export function overdueApprovalConditions(pending: readonly PendingApproval[], now: Date, slaMs: number): AlertCondition[] {
  return pending
    .filter((approval) => now.getTime() - approval.requestedAt.getTime() > slaMs)
    .map((approval) => {
      const waitingMs = now.getTime() - approval.requestedAt.getTime();
      return {
        key: `approval-overdue:${approval.approvalId}`,
        rule: 'approval-overdue',
        scope: { kind: 'tenant', tenantId: approval.tenantId },
        severity: 'warning',
        summary: `Approval of ${approval.tool} waiting ${duration(waitingMs)}, past its ${duration(slaMs)} SLA`,
        subject: { approvalId: approval.approvalId, tool: approval.tool, waitingMs },
      };
    });
}
