import type { Caller } from '../../auth/caller';
import type { Approval } from './approval';

export type DecisionRight = { readonly may: true } | { readonly may: false; readonly why: string };

/**
 * Whether to offer Approve and Reject on an item. The gateway decides in the end (a 403 says so);
 * the console only avoids offering what would be refused.
 * - Known caller: admin, or holding the role the item waits for.
 * - Caller not known yet (GET /v1/me not in): the gateway's own `for=me` inbox says which pending
 *   items this caller may decide, so being in it is the test.
 * - A 403 already met on this item wins over both.
 */
export function decisionRight(approval: Approval, caller: Caller | undefined, inMyInbox: boolean, refused: boolean): DecisionRight {
  if (approval.status !== 'pending') return { may: false, why: 'This call is decided.' };
  const notMine: DecisionRight = { may: false, why: `Only someone with the role ${approval.role} (or an admin) can decide this call; you can read it.` };
  if (refused) return notMine;
  if (caller) return caller.roles.includes('admin') || (caller.roles as readonly string[]).includes(approval.role) ? { may: true } : notMine;
  return inMyInbox ? { may: true } : notMine;
}
