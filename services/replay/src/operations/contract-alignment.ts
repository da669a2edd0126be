import type { OperationFilterRecord, OperationItemRecord, OperationScopeRecord, operationItemOutcomes, operationItemSources, operationKinds } from '@agent-orchestrator/contracts';
import type { ItemOutcome, ItemSourceName, OperationFilter, OperationItem, OperationKind, OperationScope } from './item-source.js';

/*
 * The port (item-source.ts) and the events (libs/contracts) speak of the same kinds, sources,
 * filters and items: these assignments stop the build when one of them changes without the other.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const kindsAlign: Same<OperationKind, (typeof operationKinds)[number]> = true;
export const sourcesAlign: Same<ItemSourceName, (typeof operationItemSources)[number]> = true;
export const outcomesAlign: Same<ItemOutcome, (typeof operationItemOutcomes)[number]> = true;
export const scopesAlign: Same<OperationScope, OperationScopeRecord> = true;
/** A matched item is recorded as it is: every item a source returns is an item the event holds. */
export const itemsAlign: Same<OperationItem, Readonly<OperationItemRecord>> = true;
export const filtersAlign: OperationFilterRecord extends OperationFilter ? true : false = true;
