import { epochMillisOf } from '@agent-orchestrator/contracts';
import { SessionError } from './errors.js';

/** Milliseconds since the epoch of a UTC ISO-8601 instant; anything else is an InvalidCommand. */
export function epochMillis(instant: string): number {
  const millis = epochMillisOf(instant);
  if (millis === undefined) throw new SessionError('InvalidCommand', `"${instant}" is not a UTC ISO-8601 instant`);
  return millis;
}
