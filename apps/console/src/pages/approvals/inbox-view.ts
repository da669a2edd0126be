import { useCallback } from 'react';
import { useSearchParams } from 'react-router';
import { orders, type InboxFilter, type InboxOrder } from './approval';
import type { InboxScope } from './queries';

export type InboxParam = 'for' | 'order' | 'agent' | 'tool' | 'session';

export interface InboxView {
  readonly scope: InboxScope;
  readonly order: InboxOrder;
  readonly filter: InboxFilter;
  /** The query string to carry along when opening an item, so the list stays as it was. */
  readonly search: string;
  set(param: InboxParam, value: string | null): void;
  update(changes: Partial<Record<InboxParam, string | null>>): void;
}

/**
 * What the inbox shows lives in the URL (`?for=all&agent=AccountManager&order=newest`), so a link
 * shares the same view. Defaults stay out of the URL.
 */
export function useInboxView(): InboxView {
  const [params, setParams] = useSearchParams();
  // One navigation for all changes: React Router's functional updates do not queue like state, so
  // two calls in a row would each start from the same URL and the last one would win.
  const update = useCallback(
    (changes: Partial<Record<InboxParam, string | null>>) =>
      setParams(
        (previous) => {
          const next = new URLSearchParams(previous);
          for (const [param, value] of Object.entries(changes)) {
            if (value) next.set(param, value);
            else next.delete(param);
          }
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  const set = useCallback((param: InboxParam, value: string | null) => update({ [param]: value }), [update]);
  const order = params.get('order');
  const filter: InboxFilter = Object.fromEntries((['agent', 'tool', 'session'] as const).flatMap((key) => (params.get(key) ? [[key, params.get(key)!]] : [])));
  return {
    scope: params.get('for') === 'all' ? 'all' : 'me',
    order: order !== null && order in orders ? (order as InboxOrder) : 'expiry',
    filter,
    search: params.size > 0 ? `?${params.toString()}` : '',
    set,
    update,
  };
}
