import { createHash } from 'node:crypto';
import { EventStoreError } from './errors.js';

/**
 * A payload too large for an event (events are at most 512 KiB), stored by its content before the
 * event that names it: the event carries this reference, and the content is checked against it
 * whenever it is read.
 */
export interface AttachmentRef {
  /** SHA-256 of the content, lowercase hex. */
  readonly sha256: string;
  readonly bytes: number;
}

export function attachmentRefOf(content: Uint8Array): AttachmentRef {
  return { sha256: createHash('sha256').update(content).digest('hex'), bytes: content.byteLength };
}

/** Refuses content that is not what its reference names: a damaged or substituted attachment. */
export function checkAttachment(ref: AttachmentRef, content: Uint8Array): void {
  const actual = attachmentRefOf(content);
  if (actual.sha256 !== ref.sha256 || actual.bytes !== ref.bytes) {
    throw new EventStoreError('Unavailable', `attachment ${ref.sha256} does not match its content (${actual.bytes} bytes hashing to ${actual.sha256}): it was damaged after it was stored`);
  }
}
