import type { AbortOperation, CommandMetadata, ConfirmOperation, OperationItemRecord, PauseOperation, PlanOperation, ResumeOperation } from '@agent-orchestrator/contracts';

/**
 * PlanOperation with what its sources matched (the service asks them; the decider only judges):
 * every item, or why there are none to judge (no source takes the kind, a source failed).
 */
export interface RecordPlan {
  readonly type: 'RecordPlan';
  readonly plan: PlanOperation;
  readonly match: { readonly kind: 'matched'; readonly items: readonly OperationItemRecord[] } | { readonly kind: 'refused'; readonly reason: string };
  /** The rate when the plan names none. */
  readonly defaultRate: number;
  readonly metadata: CommandMetadata;
}

export interface ItemOutcomeRecord {
  readonly itemId: string;
  readonly outcome: 'succeeded' | 'failed' | 'skipped';
  readonly detail?: string | Readonly<Record<string, unknown>>;
}

/**
 * What the runner brings back from one batch: the outcomes of the next items without one, in
 * plan order. Outcomes of items already recorded (a batch run again after a restart) are left out.
 */
export interface RecordItemOutcomes {
  readonly type: 'RecordItemOutcomes';
  readonly operationId: string;
  readonly outcomes: readonly ItemOutcomeRecord[];
  readonly metadata: CommandMetadata;
}

export type OperationCommand = RecordPlan | ConfirmOperation | PauseOperation | ResumeOperation | AbortOperation | RecordItemOutcomes;
