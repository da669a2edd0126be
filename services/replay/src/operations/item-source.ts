/**
 * What an operation acts on, and how. Every bulk action an SRE runs (a redrive, a discard, a
 * projection rebuild, a session replay) is an operation over items drawn from one or more
 * sources: the dry run asks each source of the operation's kind to `match` the filter, exactly
 * (every item by id, never an estimate); the confirmed run asks the item's source to `execute`
 * it, one item at a time, at the operation's rate, or, for an unthrottled operation, to
 * `executeBatch` up to a batch of its items at once when the source can.
 */
export const operationKinds = ['redrive', 'discard', 'rebuild-projection', 'retry-quarantined', 'replay-sessions'] as const;
export type OperationKind = (typeof operationKinds)[number];

export const itemSources = ['dead-letter', 'parked-call', 'projection', 'session'] as const;
export type ItemSourceName = (typeof itemSources)[number];

/** Who asked: a tenant's operator or admin sees and acts on its own tenant's items only; the platform admin on every tenant's. */
export type OperationScope = { readonly kind: 'tenant'; readonly tenantId: string } | { readonly kind: 'platform' };

/** The filter of an operation, as the API and `ao` take it. Each source reads the fields that apply to it and ignores the rest. */
export interface OperationFilter {
  /** Exactly these items (dead-letter ids, parked call ids, session ids, a projection name). */
  readonly ids?: readonly string[];
  /** The consumer group that failed (dead letters), e.g. `tool-adapters.events`. */
  readonly consumer?: string;
  /** The error code of the failure, e.g. `timeout`. */
  readonly code?: string;
  /** The tool whose call failed or parked. */
  readonly tool?: string;
  /** Only for the platform admin: one tenant. */
  readonly tenant?: string;
  /** First and last seen, ISO instants. */
  readonly since?: string;
  readonly until?: string;
  /** Session replay: sessions by status and start time. */
  readonly status?: string;
  /** Projection operations: the projection's name. */
  readonly projection?: string;
}

/** One matched item, as the dry run lists it. */
export interface OperationItem {
  readonly itemId: string;
  readonly source: ItemSourceName;
  /** null for what belongs to no tenant (a message that could not be decoded): the platform admin's alone. */
  readonly tenantId: string | null;
  readonly consumer?: string;
  readonly code?: string;
  readonly tool?: string;
  readonly sessionId?: string;
  /** Acting on it repeats a side effect: it runs a tool operation whose method is not safe (anything but GET, HEAD, OPTIONS). */
  readonly repeatsSideEffect: boolean;
  /** One line a person reads in the dry run. */
  readonly label: string;
}

export type ItemOutcome = 'succeeded' | 'failed' | 'skipped';

export interface ItemResult {
  readonly outcome: ItemOutcome;
  /** Why it failed or was skipped, or what it found (a replay's first difference): one line, or a small JSON-able record. */
  readonly detail?: string | Readonly<Record<string, unknown>>;
}

export interface ExecutionContext {
  readonly operationId: string;
  readonly scope: OperationScope;
  /** The operator's reason (required for a discard). */
  readonly reason?: string;
  /** For long single items (a projection rebuild): how far it is, for the operation's progress. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ItemSource {
  readonly source: ItemSourceName;
  /** The kinds of operation this source takes part in. */
  readonly kinds: readonly OperationKind[];
  /** Every item the filter matches, in a stable order; an empty list when nothing does. Must not change anything. */
  match(kind: OperationKind, filter: OperationFilter, scope: OperationScope): Promise<readonly OperationItem[]>;
  /**
   * Acts on one item. Idempotent: after a crash the runner may execute an item again whose outcome
   * it had not recorded yet, so an item already acted on reports `skipped` with why.
   */
  execute(kind: OperationKind, item: OperationItem, context: ExecutionContext): Promise<ItemResult>;
  /**
   * Acts on several items at once (one produce, one update, where `execute` makes one of each per
   * item), with one result per item in the order given; as idempotent as `execute`. Optional: the
   * runner calls `execute` per item for a source without it. A throw fails every item of the batch.
   */
  executeBatch?(kind: OperationKind, items: readonly OperationItem[], context: ExecutionContext): Promise<readonly ItemResult[]>;
}
