import type { ExecutionContext, ItemResult, ItemSource, OperationFilter, OperationItem, OperationKind, OperationScope } from './item-source.js';

/**
 * An item source for specs: its items are given, `match` filters them by tool and the caller's
 * tenant, and `execute` records every call (item, operation and when), fails the items named in
 * `failing`, and waits at `gate` (when set) before acting on the item it names.
 */
export class TestItemSource implements ItemSource {
  readonly source = 'dead-letter' as const;
  readonly kinds: readonly OperationKind[] = ['redrive', 'discard'];
  readonly executed: { itemId: string; operationId: string; at: number }[] = [];
  readonly matched: { kind: OperationKind; filter: OperationFilter; scope: OperationScope }[] = [];
  readonly failing = new Set<string>();
  private gate: { itemId: string; open: Promise<void>; release: () => void; reached: boolean } | undefined;

  constructor(private readonly items: readonly OperationItem[]) {}

  async match(kind: OperationKind, filter: OperationFilter, scope: OperationScope): Promise<readonly OperationItem[]> {
    this.matched.push({ kind, filter, scope });
    return this.items.filter((item) => (filter.tool === undefined || item.tool === filter.tool) && (scope.kind === 'platform' || item.tenantId === scope.tenantId) && (filter.ids === undefined || filter.ids.includes(item.itemId)));
  }

  async execute(_kind: OperationKind, item: OperationItem, context: ExecutionContext): Promise<ItemResult> {
    const gate = this.gate;
    if (gate?.itemId === item.itemId) {
      gate.reached = true;
      await gate.open;
    }
    this.executed.push({ itemId: item.itemId, operationId: context.operationId, at: Date.now() });
    if (this.failing.has(item.itemId)) throw new Error(`${item.itemId} failed on purpose`);
    return { outcome: 'succeeded' };
  }

  /** Holds the item's execution until the returned release is called. */
  hold(itemId: string): { reached: () => boolean; release: () => void } {
    let release = () => undefined as void;
    const open = new Promise<void>((resolve) => (release = resolve));
    const gate = { itemId, open, release, reached: false };
    this.gate = gate;
    return { reached: () => gate.reached, release: () => gate.release() };
  }

  executionsOf(operationId: string): string[] {
    return this.executed.filter((execution) => execution.operationId === operationId).map((execution) => execution.itemId);
  }
}

export const testItems = (count: number, tenantId = 'acme', tool = 'crm'): OperationItem[] =>
  Array.from({ length: count }, (_, i) => ({ itemId: `${tenantId}-${tool}-${i}`, source: 'dead-letter', tenantId, consumer: 'tool-adapters.events', code: 'timeout', tool, repeatsSideEffect: i % 3 === 0, label: `dead letter ${i} of ${tool}` }));
