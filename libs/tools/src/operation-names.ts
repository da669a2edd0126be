import { createHash } from 'node:crypto';
import { operationToolName } from '@agent-orchestrator/contracts';

/** Providers refuse tool names longer than this; models call an operation as `<tool>__<operation>`. */
export const maxModelToolName = 64;
const validName = /^[A-Za-z0-9_-]+$/;
const hashLength = 8;

/** Eight hex digits of the SHA-256 of method and path: what identifies an operation across versions of a document. */
export function operationHash(method: string, path: string): string {
  return createHash('sha256').update(`${method.toLowerCase()} ${path}`).digest('hex').slice(0, hashLength);
}

/** The operationId when a model can call it as is, otherwise `<method>_<path words>`. */
export function baseOperationName(method: string, path: string, operationId: string | undefined): string {
  if (operationId !== undefined && validName.test(operationId)) return operationId;
  return [method, ...path.split(/[^A-Za-z0-9]+/).filter(Boolean)].join('_');
}

/**
 * `name` made short enough that `<tool>__<name>` fits the providers' limit: a name that fits stays
 * as it is; a longer one keeps its start and ends in `_<hash of method and path>`, so the same
 * operation gets the same name in every version of the document.
 */
export function fittedOperationName(tool: string, name: string, method: string, path: string): string {
  const room = maxModelToolName - operationToolName(tool, '').length;
  if (name.length <= room) return name;
  return withHash(name, room, method, path);
}

/** `name` cut to leave room for `_<hash>` within `room` characters (the hash alone when nothing else fits). */
export function withHash(name: string, room: number, method: string, path: string): string {
  const hash = operationHash(method, path);
  const keep = room - hashLength - 1;
  if (keep <= 0) return hash.slice(0, room);
  const start = name.slice(0, keep).replace(/[_-]+$/, '');
  return start === '' ? hash : `${start}_${hash}`;
}
