import { useEffect, useState } from 'react';

/** `2 d 3 h`, `4 h 12 min`, `3 min 05 s`, `42 s`: two units at most, as much as a reviewer needs. */
export function duration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const [d, h, m, s] = [Math.floor(seconds / 86400), Math.floor(seconds / 3600) % 24, Math.floor(seconds / 60) % 60, seconds % 60];
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${String(s).padStart(2, '0')} s`;
  return `${s} s`;
}

/** `just now`, `5 min ago`, `3 h ago`, or the date. */
export function ago(iso: string, now: number): string {
  const ms = now - Date.parse(iso);
  if (ms < 60_000) return 'just now';
  if (ms < 86_400_000) return `${duration(ms).split(' ').slice(0, 2).join(' ')} ago`;
  return `on ${new Date(iso).toLocaleString()}`;
}

/** The current time, ticking every `everyMs`: for countdowns and "just now". */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
