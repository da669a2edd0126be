import type { GlobalPosition } from '@agent-orchestrator/contracts';
import type { Position } from '@kurrent/kurrentdb-client';

/**
 * A KurrentDB $all position is (commit, prepare), both unsigned 64-bit. Written as two 20-digit
 * fields (2^64 - 1 has 20 digits) joined by "-", plain string order is the log's order.
 */
const width = 20;
const maxU64 = 2n ** 64n - 1n;
const pattern = /^(\d{20})-(\d{20})$/;

export function encodePosition(position: Position): GlobalPosition {
  return `${field(position.commit, 'commit')}-${field(position.prepare, 'prepare')}`;
}

export function decodePosition(position: GlobalPosition): Position {
  const match = pattern.exec(position);
  const commit = match && BigInt(match[1]!);
  const prepare = match && BigInt(match[2]!);
  if (commit === null || prepare === null || commit > maxU64 || prepare > maxU64) {
    throw new Error(`"${position}" is not a KurrentDB event store position (expected two 20-digit unsigned 64-bit numbers joined by "-")`);
  }
  return { commit, prepare };
}

function field(value: bigint, name: string): string {
  if (value < 0n || value > maxU64) throw new Error(`a KurrentDB ${name} position is an unsigned 64-bit number; got ${value}`);
  return value.toString().padStart(width, '0');
}
