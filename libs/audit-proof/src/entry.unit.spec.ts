import { entryHashes } from './entry.js';
import { canonicalEntry, chainHash, fingerprintOf, keyIdOf, leafHash } from './index.js';

/*
 * Golden values computed by the stream hash chain as libs/event-store had it before the chain moved
 * here: stores already hold hashes made that way, so these bytes must never change.
 */
const stored = {
  eventId: '7d0c2f4e-8a6b-4c1d-9e3f-0a1b2c3d4e5f',
  type: 'SessionStarted',
  schemaVersion: 1,
  streamId: 'session-s1',
  tenantId: 'acme',
  correlationId: 's1',
  causationId: null,
  actor: { kind: 'user', id: 'u-1' },
  occurredAt: '2026-11-29T08:00:00.000Z',
  traceparent: null,
  data: { b: [1, 'é', { z: null, a: 2.5 }], a: 'x' },
  streamVersion: 3,
  globalPosition: '00000000000000000042',
};
const content =
  '{"actor":{"id":"u-1","kind":"user"},"causationId":null,"correlationId":"s1","data":{"a":"x","b":[1,"é",{"a":2.5,"z":null}]},"eventId":"7d0c2f4e-8a6b-4c1d-9e3f-0a1b2c3d4e5f","occurredAt":"2026-11-29T08:00:00.000Z","schemaVersion":1,"streamId":"session-s1","tenantId":"acme","traceparent":null,"type":"SessionStarted"}';

describe('the entry and the chain hash', () => {
  it('cover the content in RFC 8785 form, not where a store put the event', () => {
    expect(canonicalEntry(stored)).toBe(content);
    expect(canonicalEntry({ ...stored, streamVersion: 9, globalPosition: '1' } as typeof stored)).toBe(content);
  });

  it('hash as the event store always has', () => {
    expect(chainHash(null, 0, content)).toBe('26c7bf2b9a8e66592c9408f8fb4176c68229ba6bccb74282973da3a648c27a84');
    expect(chainHash('ab'.repeat(32), 3, content)).toBe('21881862679f9809f7d3b3db308d134b73e39c6c3a30713a640442981eb6f7db');
  });

  it('come out the same from entryHashes, as the verifier makes both from one encoding', () => {
    const contents = [content, '', '{}', 'é😀\u2028"\\', 'x'.repeat(200_000), '😀'.repeat(70_000), content];
    for (const text of contents) {
      for (const [prev, version] of [[null, 0], ['ab'.repeat(32), 3], ['0f'.repeat(32), Number.MAX_SAFE_INTEGER]] as const) {
        const { leaf, chain } = entryHashes(prev, version, text);
        expect(leaf.equals(leafHash(text))).toBe(true);
        expect(chain).toBe(chainHash(prev, version, text));
      }
    }
    expect(entryHashes('ab'.repeat(32), 3, content).chain).toBe('21881862679f9809f7d3b3db308d134b73e39c6c3a30713a640442981eb6f7db');
    expect(() => entryHashes('zz'.repeat(32), 1, content)).toThrow();
  });

  it('name a key by the SHA-256 of its raw bytes', () => {
    const raw = Buffer.alloc(32, 7);
    expect(fingerprintOf(raw)).toMatch(/^[0-9a-f]{64}$/);
    expect(keyIdOf(raw)).toBe(fingerprintOf(raw).slice(0, 16));
  });
});
