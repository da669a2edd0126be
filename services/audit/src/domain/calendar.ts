import { epochMillisOf } from '@agent-orchestrator/contracts';

const dayMs = 86_400_000;
const pad = (value: number, width: number) => String(value).padStart(width, '0');

/**
 * `instant` plus whole days, by hand: deciders may not touch the clock (or Date). The time of day
 * is kept as written; undefined for anything but a UTC ISO-8601 instant.
 */
export function plusDays(instant: string, days: number): string | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})(T.*)$/.exec(instant);
  if (!match || epochMillisOf(instant) === undefined) return undefined;
  const [year, month, day] = civilFromDays(epochMillisOf(`${match[1]}T00:00:00Z`)! / dayMs + days);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}${match[2]}`;
}

/** The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's civil_from_days). */
function civilFromDays(count: number): [number, number, number] {
  const z = count + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  return [yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day];
}
