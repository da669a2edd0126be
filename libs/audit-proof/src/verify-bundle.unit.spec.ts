import { createPublicKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { BundleLine, EventLine } from './bundle-lines.js';
import { fingerprintOf, verifyBundle, type Finding } from './index.js';
import { bundleLines, makeKeys, signCheckpoint } from './testing/bundle-builder.js';
import { scenario } from './testing/scenario.js';

const s = scenario();
afterAll(() => s.cleanup());
const [k1, k2] = s.keys;
const copy = (lines: readonly BundleLine[]): BundleLine[] => JSON.parse(JSON.stringify(lines));
const kinds = (findings: readonly Finding[]): string[] => [...new Set(findings.map((f) => f.kind))].sort();
const eventAt = (lines: BundleLine[], position: number): EventLine => lines.find((l): l is EventLine => l.kind === 'event' && l.position === position)!;

describe('verifyBundle on untouched bundles', () => {
  it('passes a range export, its successor against it, and a sessions export, and sums them up', async () => {
    const a = await verifyBundle({ bundle: s.pathA });
    expect(a.findings).toEqual([]);
    expect(a.ok).toBe(true);
    expect(a.summary).toMatchObject({ tenantId: 'acme', exportId: 'export-a', events: 20, streams: 3, treeSize: 20, firstPosition: 0, end: 20, keys: 1, signedBy: k1!.line.keyId, anchored: false });
    const b = await verifyBundle({ bundle: s.pathB, previous: s.pathA });
    expect(b.findings).toEqual([]);
    expect(b.summary).toMatchObject({ events: 20, treeSize: 40, rootHash: s.c2.rootHash, previousExportId: 'export-a', anchored: true, checkpoints: 2 });
    const c = await verifyBundle({ bundle: s.pathC });
    expect(c.findings).toEqual([]);
    expect(c.summary).toMatchObject({ proofMode: 'inclusion', events: 13, streams: 1 });
  });

  it('reads a gzipped bundle and reports the hash of its uncompressed bytes', async () => {
    const gz = s.write('b.ndjson.gz', s.linesB, { gzip: true });
    const report = await verifyBundle({ bundle: gz });
    expect(report.findings).toEqual([]);
    expect(report.summary.sha256).toBe((await verifyBundle({ bundle: s.pathB })).summary.sha256);
  });

  it('reads the bytes from a stream too, a chunk at a time, plain or gzipped', async () => {
    const bytes = readFileSync(s.pathB);
    const chunks = (b: Buffer): Buffer[] => Array.from({ length: Math.ceil(b.length / 7) }, (_, i) => b.subarray(i * 7, i * 7 + 7));
    const plain = await verifyBundle({ bundle: Readable.from(chunks(bytes)), previous: Readable.from([readFileSync(s.pathA)]) });
    expect(plain.findings).toEqual([]);
    expect(plain.summary.anchored).toBe(true);
    const gzipped = await verifyBundle({ bundle: Readable.from(chunks(gzipSync(bytes))) });
    expect(gzipped.findings).toEqual([]);
    expect(gzipped.summary.sha256).toBe(plain.summary.sha256);
  });

  it('accepts the first key as the trusted key in any of its forms, and trusts the key it endorsed', async () => {
    const raw = Buffer.from(k1!.line.publicKey, 'base64');
    const pem = createPublicKey(k1!.privateKey).export({ format: 'pem', type: 'spki' }).toString();
    for (const trusted of [k1!.line.publicKey, pem, fingerprintOf(raw), k1!.line.keyId]) {
      const report = await verifyBundle({ bundle: s.pathB, trustedKeys: [trusted] });
      expect(report.findings).toEqual([]);
      expect(report.summary.anchored).toBe(true);
    }
  });
});

describe('verifyBundle finds tampering', () => {
  it('one changed byte in an event: its chain hash, the range proof and the file signature all fail', async () => {
    const text = readFileSync(s.pathB, 'utf8');
    const path = join(s.dir, 'byte.ndjson');
    writeFileSync(path, text.replace('"note":"event 25"', '"note":"event 26"'));
    const { ok, findings } = await verifyBundle({ bundle: path });
    expect(ok).toBe(false);
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'altered', streamId: 'session-s1', streamVersion: 8, position: 25, line: 7 }));
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'altered', message: expect.stringContaining('the 20 events at positions 20..39 do not hash to the checkpoint root') }));
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'bad-signature', message: expect.stringContaining('the bytes before the signature line hash to') }));
  });

  it('a removed event, even with the file re-signed: the position, the stream version and the count are missing', async () => {
    const lines = copy(s.linesB).filter((l) => !(l.kind === 'event' && l.position === 25));
    const { findings } = await verifyBundle({ bundle: s.write('removed.ndjson', lines) });
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'removed', position: 25, message: 'position 25 is missing' }));
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'removed', streamId: 'session-s1', streamVersion: 9, message: 'version 8 of session-s1 is missing' }));
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'removed', message: expect.stringContaining('the 19 events at positions 20..39 do not hash') }));
    expect(kinds(findings)).toEqual(['removed']);
  });

  it('an inserted event with a valid-looking chain hash: a repeated version, a repeated position, a foreign tenant', async () => {
    const lines = copy(s.linesB);
    const original = eventAt(lines, 25);
    const forged: EventLine = { ...original, event: { ...original.event, eventId: '00000000-0000-4000-8000-999999999999', tenantId: 'globex' } };
    lines.splice(lines.indexOf(original) + 1, 0, forged);
    const { findings } = await verifyBundle({ bundle: s.write('inserted.ndjson', lines) });
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'inserted', streamId: 'session-s1', streamVersion: 8, position: 25, message: 'version 8 of session-s1 appears again after version 8' }));
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'inserted', position: 25, message: 'position 25 appears twice' }));
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'inserted', message: expect.stringContaining('belongs to tenant globex') }));
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'altered', streamId: 'session-s1', position: 25, message: expect.stringContaining('does not match its chain hash') }));
  });

  it('two events swapped: out of order, and the range no longer hashes to the root', async () => {
    const lines = copy(s.linesB);
    const i = lines.indexOf(eventAt(lines, 25));
    [lines[i], lines[i + 1]] = [lines[i + 1]!, lines[i]!];
    const { findings } = await verifyBundle({ bundle: s.write('swapped.ndjson', lines) });
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'out-of-order', position: 25, streamId: 'session-s1', message: 'position 25 comes after position 26' }));
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'altered', message: expect.stringContaining('positions 20..39 do not hash to the checkpoint root') }));
    expect(findings.filter((f) => f.kind === 'removed')).toEqual([]);
  });

  it('a truncated file: no signature line, or cut inside a line', async () => {
    const text = readFileSync(s.pathB, 'utf8');
    const cut = join(s.dir, 'cut.ndjson');
    writeFileSync(cut, text.slice(0, text.indexOf('"kind":"stream-head"') - 1));
    const atLine = await verifyBundle({ bundle: cut });
    expect(atLine.findings).toContainEqual(expect.objectContaining({ kind: 'truncated', message: expect.stringContaining('without its signature line') }));
    writeFileSync(cut, text.slice(0, text.length - 40));
    const inside = await verifyBundle({ bundle: cut });
    expect(inside.findings).toContainEqual(expect.objectContaining({ kind: 'truncated', message: expect.stringContaining('ends inside line') }));
    expect(inside.findings).toContainEqual(expect.objectContaining({ kind: 'malformed' }));
  });

  it('a session dropped from the middle of a range export: each of its events is missing from its stream', async () => {
    const lines = copy(s.linesB).filter((l) => !(l.kind === 'event' && l.event.correlationId === 's2') && !(l.kind === 'stream-head' && l.streamId === 'session-s2'));
    const manifest = lines[0]!;
    if (manifest.kind === 'manifest') manifest.counts = { events: 13, streams: 2 };
    const { findings } = await verifyBundle({ bundle: s.write('dropped.ndjson', lines) });
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'removed', position: 20, message: 'position 20 is missing' }));
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'removed', position: 38, message: 'position 38 is missing' }));
    expect(findings.filter((f) => f.kind === 'removed' && /^position \d+ is missing$/.test(f.message))).toHaveLength(7);
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'removed', message: expect.stringContaining('the 13 events at positions 20..39 do not hash') }));
  });

  it('a bundle or a checkpoint re-signed by a key the bundle does not hold', async () => {
    const [stranger] = makeKeys('acme', ['2026-01-01T00:00:00.000Z']);
    const resigned = await verifyBundle({ bundle: s.write('stranger.ndjson', s.linesB, { key: stranger }) });
    expect(resigned.findings).toEqual([expect.objectContaining({ kind: 'unknown-key', message: expect.stringContaining(`the bundle is signed by key ${stranger!.line.keyId}, which the bundle does not hold`) })]);
    const lines = copy(s.linesB);
    const forged = signCheckpoint('acme', s.log, 40, stranger!, s.c2.signedAt);
    for (const line of lines) if (line.kind === 'checkpoint' && line.treeSize === 40) Object.assign(line, forged);
    const { findings } = await verifyBundle({ bundle: s.write('forged-checkpoint.ndjson', lines) });
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'unknown-key', line: expect.any(Number), message: expect.stringContaining('checkpoint of tree size 40') }));
  });

  it('a bundle signed by a key the auditor does not trust, nor any key endorsed from it', async () => {
    const [other] = makeKeys('acme', ['2026-01-01T00:00:00.000Z']);
    const { findings } = await verifyBundle({ bundle: s.pathB, trustedKeys: [other!.line.publicKey] });
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'unknown-key', message: expect.stringContaining('not the trusted key nor endorsed from it') }));
    const fromK2 = await verifyBundle({ bundle: s.pathB, trustedKeys: [k2!.line.keyId] });
    expect(fromK2.findings).toContainEqual(expect.objectContaining({ kind: 'unknown-key', message: expect.stringContaining(`checkpoint of tree size 20`) }));
  });

  it('a checkpoint signed by a key outside its period', async () => {
    const late = signCheckpoint('acme', s.log, 40, k1!, '2026-01-01T03:00:00.000Z');
    const lines = copy(s.linesB);
    for (const line of lines) {
      if (line.kind === 'checkpoint' && line.treeSize === 40) Object.assign(line, late);
      if (line.kind === 'manifest') line.checkpoint = late;
    }
    const { findings } = await verifyBundle({ bundle: s.write('late.ndjson', lines) });
    expect(findings).toEqual([expect.objectContaining({ kind: 'key-outside-period', message: expect.stringContaining(`outside key ${k1!.line.keyId}'s period 2026-01-01T00:00:00.000Z..2026-01-01T02:00:00.000Z`) })]);
  });

  it('a key whose endorsement does not verify', async () => {
    const lines = copy(s.linesB);
    for (const line of lines) if (line.kind === 'key' && line.keyId === k2!.line.keyId) line.endorsement = k1!.line.endorsement ?? Buffer.alloc(64).toString('base64');
    const { findings } = await verifyBundle({ bundle: s.write('endorsement.ndjson', lines), trustedKeys: [k1!.line.keyId] });
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'bad-signature', message: `key ${k2!.line.keyId} is not endorsed by the key before it, ${k1!.line.keyId}` }));
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'unknown-key' }));
  });

  it('a gap against the previous bundle: another checkpoint, or positions in neither bundle', async () => {
    const otherA = s.write('other-a.ndjson', copy(s.linesA).map((l) => (l.kind === 'manifest' ? { ...l, exportId: 'export-x' } : l)), { key: k1, exportId: 'export-x' });
    const wrong = await verifyBundle({ bundle: s.pathB, previous: otherA });
    expect(wrong.findings).toEqual([expect.objectContaining({ kind: 'gap', message: 'this export continues export export-a, not the given previous bundle export-x' })]);
    const lines = copy(s.linesB).filter((l) => !(l.kind === 'event' && l.position < 25));
    const m = lines[0]!;
    if (m.kind === 'manifest') {
      m.range.first = 25;
      m.counts.events = 15;
    }
    const shorterProof = bundleLines({ exportId: 'export-b', tenantId: 'acme', log: s.log, keys: s.keys, checkpoint: s.c2, first: 25, end: 40 }).find((l) => l.kind === 'range-proof');
    for (const line of lines) if (line.kind === 'range-proof') Object.assign(line, shorterProof);
    const later = await verifyBundle({ bundle: s.write('later.ndjson', lines), previous: s.pathA });
    expect(later.findings).toEqual([expect.objectContaining({ kind: 'gap', position: 20, message: 'positions 20..24 are in neither bundle' })]);
  });

  it('an inclusion proof that does not hold, and an event without one', async () => {
    const lines = copy(s.linesC);
    const proofs = lines.filter((l) => l.kind === 'inclusion-proof');
    if (proofs[0]!.kind === 'inclusion-proof') proofs[0]!.path[0] = '00'.repeat(32);
    lines.splice(lines.indexOf(proofs[1]!), 1);
    const { findings } = await verifyBundle({ bundle: s.write('inclusion.ndjson', lines) });
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'altered', streamId: 'session-s1', streamVersion: 0, position: 1, message: expect.stringContaining('is not in the checkpoint') }));
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'inserted', streamId: 'session-s1', streamVersion: 1, position: 4, message: 'the event at position 4 has no inclusion proof' }));
  });

  it("a stream's first events cut from a bundle that starts at the tree's first leaf", async () => {
    const lines = copy(s.linesA).filter((l) => !(l.kind === 'event' && l.position === 1));
    const { findings } = await verifyBundle({ bundle: s.write('first-cut.ndjson', lines, { key: k1 }) });
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'removed', streamId: 'session-s1', streamVersion: 1, position: 4, message: 'version 0 of session-s1 is missing before the stream\'s first event in the bundle' }));
  });

  it('lines appended after the signature line', async () => {
    const path = join(s.dir, 'appended.ndjson');
    writeFileSync(path, `${readFileSync(s.pathA, 'utf8')}${JSON.stringify(copy(s.linesA)[1])}\n`);
    const { findings } = await verifyBundle({ bundle: path });
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'bad-signature', message: expect.stringContaining('follow the signature line: no signature covers them') }));
    expect(findings).toContainEqual(expect.objectContaining({ kind: 'malformed', message: expect.stringContaining('an event line after the signature line') }));
  });

  it('a line that is not JSON, or out of place, names its line', async () => {
    const lines: (BundleLine | string)[] = copy(s.linesA);
    lines.splice(3, 0, '{"kind":"event", oops');
    const { findings } = await verifyBundle({ bundle: s.write('malformed.ndjson', lines, { key: k1 }) });
    expect(findings).toEqual([expect.objectContaining({ kind: 'malformed', line: 4, message: expect.stringContaining('line 4: not JSON') })]);
    const moved = copy(s.linesA);
    moved.push(moved.splice(1, 1)[0]!);
    const out = await verifyBundle({ bundle: s.write('moved.ndjson', moved, { key: k1 }) });
    expect(out.findings).toContainEqual(expect.objectContaining({ kind: 'malformed', line: moved.length, message: `line ${moved.length}: an event line after key lines` }));
  });
});
