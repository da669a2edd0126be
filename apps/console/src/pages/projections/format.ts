// Pure (the unit spec runs it under Node): a projection's state in words.

export const stateLabels: Record<string, string> = {
  running: 'Running',
  'caught-up': 'Caught up',
  idle: 'Caught up',
  stalled: 'Stalled',
  rebuilding: 'Rebuilding',
  stopped: 'Stopped',
  failed: 'Failed',
};

export const stateColors: Record<string, string> = { running: 'blue', 'caught-up': 'green', idle: 'green', stalled: 'red', rebuilding: 'violet', stopped: 'gray', failed: 'red' };

export const isStalled = (state: string) => state === 'stalled';

/** "12 s ago", "4 min ago", "2 h ago"; "never" for a projection that has not moved yet. */
export function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return 'never';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (Number.isNaN(seconds)) return iso;
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h ago` : `${Math.floor(hours / 24)} days ago`;
}

/** Events per second as a person reads them: "0", "0.4", "12", "1,250". */
export function rate(eventsPerSecond: number): string {
  if (eventsPerSecond === 0) return '0';
  return eventsPerSecond < 10 ? eventsPerSecond.toFixed(1) : Math.round(eventsPerSecond).toLocaleString();
}
