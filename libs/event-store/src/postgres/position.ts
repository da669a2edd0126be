import type { GlobalPosition } from '@agent-orchestrator/contracts';

/**
 * A PostgreSQL position is (transaction id, global position), both unsigned 64-bit, written as
 * two 20-digit fields so that plain string order is the log's order.
 */
export function encodePosition(transactionId: string, globalPosition: string): GlobalPosition {
  return `${transactionId.padStart(20, '0')}-${globalPosition.padStart(20, '0')}`;
}

const pattern = /^(\d{20})-(\d{20})$/;

export function decodePosition(position: GlobalPosition): { transactionId: string; globalPosition: string } {
  const match = pattern.exec(position);
  if (!match) throw new Error(`"${position}" is not a PostgreSQL event store position (expected two 20-digit numbers joined by "-")`);
  return { transactionId: BigInt(match[1]!).toString(), globalPosition: BigInt(match[2]!).toString() };
}
