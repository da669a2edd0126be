import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { readBundleLines, type BundleFileEnd, type RawLine } from './bundle-reader.js';

/* The reader against the plainest reading of the same bytes, whatever the chunks' boundaries. */

async function readAll(chunks: Uint8Array[]): Promise<{ lines: RawLine[]; end: BundleFileEnd }> {
  async function* source(): AsyncGenerator<Uint8Array> {
    yield* chunks;
  }
  const lines: RawLine[] = [];
  const reader = readBundleLines(source());
  for (let next = await reader.next(); ; next = await reader.next()) {
    if (next.done) return { lines, end: next.value };
    lines.push(...next.value);
  }
}

function plainly(bytes: Buffer): { lines: RawLine[]; end: BundleFileEnd } {
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const parts = bytes.toString('utf8').split('\n');
  if (parts.at(-1) === '') parts.pop();
  const lastLength = parts.length === 0 ? 0 : Buffer.byteLength(parts.at(-1)!) + (bytes.at(-1) === 0x0a ? 1 : 0);
  return {
    lines: parts.map((text, i) => ({ number: i + 1, text })),
    end: { sha256: sha(bytes), sha256BeforeLastLine: sha(bytes.subarray(0, bytes.length - lastLength)), endsWithNewline: bytes.at(-1) === 0x0a, lines: parts.length, bytes: bytes.length },
  };
}

const split = (bytes: Buffer, sizes: number[]): Uint8Array[] => {
  const out: Uint8Array[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    out.push(new Uint8Array(bytes.subarray(at, at + size)));
    at += size;
  }
  return out;
};

describe('readBundleLines', () => {
  const texts = [
    '',
    '\n',
    'one line\n',
    'no newline at all',
    'a\nbb\n\nccc\n',
    'a\nbb\ncut inside the last',
    `${'x'.repeat(5000)}\né😀\n${'y'.repeat(3)}\n\n😀é`,
  ];
  it.each(texts.map((t) => [JSON.stringify(t).slice(0, 40), t]))('reads %s alike in any chunks', async (_name, text) => {
    const bytes = Buffer.from(text, 'utf8');
    const expected = plainly(bytes);
    for (const sizes of [[bytes.length || 1], [1], [2, 3], [7, 1, 4096], [1000]]) {
      expect(await readAll(split(bytes, sizes))).toEqual(expected);
    }
    if (bytes.length > 0) expect(await readAll(split(gzipSync(bytes), [5, 100]))).toEqual(expected);
  });
});
