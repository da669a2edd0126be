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

/** How an attachment is asked for: by its hash, and its size when known. */
export type AttachmentLookup = Pick<AttachmentRef, 'sha256'> & Partial<Pick<AttachmentRef, 'bytes'>>;

export function attachmentRefOf(content: Uint8Array): AttachmentRef {
  return { sha256: createHash('sha256').update(content).digest('hex'), bytes: content.byteLength };
}

/** Refuses content that is not what its reference names (its size too, when the reference says it): a damaged or substituted attachment. */
export function checkAttachment(ref: AttachmentLookup, content: Uint8Array): void {
  const actual = attachmentRefOf(content);
  if (actual.sha256 !== ref.sha256 || (ref.bytes !== undefined && actual.bytes !== ref.bytes)) {
    throw new EventStoreError('Unavailable', `attachment ${ref.sha256} does not match its content (${actual.bytes} bytes hashing to ${actual.sha256}): it was damaged after it was stored`);
  }
}
