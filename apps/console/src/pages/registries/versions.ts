import { useSearchParams } from 'react-router';

/** How many earlier versions a page reads to list them: enough for a history a person scans. */
export const versionsListed = 20;

/** The version in the address (`?version=3`), or undefined for the latest. */
export function useVersionParam(): number | undefined {
  const [params] = useSearchParams();
  const raw = params.get('version');
  const version = raw === null ? NaN : Number(raw);
  return Number.isInteger(version) && version >= 1 ? version : undefined;
}

/** The newest `versionsListed` version numbers, newest first. */
export function recentVersions(latest: number): number[] {
  return Array.from({ length: Math.min(latest, versionsListed) }, (_, index) => latest - index);
}
