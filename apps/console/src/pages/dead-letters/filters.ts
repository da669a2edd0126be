import { useDebouncedValue } from '@mantine/hooks';
import { useSearchParams } from 'react-router';
import type { DeadLetterFilter } from './queries';

const names = ['consumer', 'code', 'tool', 'status', 'since', 'tenant'] as const;
export type FilterName = (typeof names)[number];

/** A `datetime-local` value (the reader's zone) as an ISO instant; undefined when empty or not a time. */
export function instantOf(local: string): string | undefined {
  if (!local) return undefined;
  const at = new Date(local);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

/**
 * The filter lives in the address, so a filtered list can be shared. What is typed is debounced
 * before it asks the API; status defaults to pending (what still waits for someone).
 */
export function useDeadLetterFilter() {
  const [params, setParams] = useSearchParams();
  const typed = Object.fromEntries(names.map((name) => [name, params.get(name) ?? ''])) as Record<FilterName, string>;
  if (!params.has('status')) typed.status = 'pending';
  // Debounced as text: an object would be a new value on every render, and never settle.
  const [settledText] = useDebouncedValue(JSON.stringify(typed), 300);
  const settled = JSON.parse(settledText) as Record<FilterName, string>;
  const filter = Object.fromEntries(
    names.flatMap((name) => {
      const value = name === 'since' ? instantOf(settled.since) : name === 'status' && settled.status === 'all' ? undefined : settled[name].trim();
      return value ? [[name, value]] : [];
    }),
  ) as DeadLetterFilter;
  const set = (name: FilterName, value: string) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (value || name === 'status') next.set(name, value || 'all');
        else next.delete(name);
        return next;
      },
      { replace: true },
    );
  const filtered = names.some((name) => name !== 'status' && typed[name] !== '');
  return { typed, filter, set, filtered, key: JSON.stringify(filter) };
}
