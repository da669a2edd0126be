import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/*
 * Reads a bundle a chunk of lines at a time, whatever its size: one chunk and one line in memory,
 * never the file. The bundle signature covers every byte before the last line, so each line is
 * hashed only once the next one arrives; at the end the digest excludes exactly the last line.
 */

export interface RawLine {
  /** 1-based, as an editor shows it. */
  readonly number: number;
  /** Without its '\n'. */
  readonly text: string;
}

export interface BundleFileEnd {
  /** Hex SHA-256 of the whole file, uncompressed. */
  readonly sha256: string;
  /** Hex SHA-256 of every byte before the last line. */
  readonly sha256BeforeLastLine: string;
  /** False when the last byte is not '\n': the file was cut inside a line. */
  readonly endsWithNewline: boolean;
  readonly lines: number;
  readonly bytes: number;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** A bundle's bytes: a file path, or the bytes themselves a chunk at a time (a download, a database read). */
export type BundleSource = string | AsyncIterable<Uint8Array>;

/** The uncompressed bytes: gunzipped when the first two bytes are the gzip magic. */
async function* bytesOf(source: BundleSource): AsyncGenerator<Buffer> {
  const chunks = (typeof source === 'string' ? createReadStream(source, { highWaterMark: 1 << 20 }) : source)[Symbol.asyncIterator]();
  const first = await chunks.next();
  if (first.done) return;
  // A view, not a copy: the reader copies whatever it keeps past a chunk.
  const view = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  async function* all(): AsyncGenerator<Buffer> {
    yield view(first.value as Uint8Array);
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield view(next.value as Uint8Array);
  }
  const head = first.value as Uint8Array;
  if (head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1]) yield* Readable.from(all()).pipe(createGunzip());
  else yield* all();
}

/** The pieces of `held` then `chunk`, read as one run of bytes, that cover [from, to). */
function piecesOf(held: readonly Buffer[], chunk: Buffer, from: number, to: number): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (const piece of [...held, chunk]) {
    const lo = Math.max(from, at);
    const hi = Math.min(to, at + piece.length);
    if (lo < hi) out.push(piece.subarray(lo - at, hi - at));
    at += piece.length;
  }
  return out;
}

const noBytes = Buffer.alloc(0);
const textOf = (pieces: Buffer[]): string => (pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces)).toString('utf8');

/**
 * Yields the lines a chunk at a time; returns how the file ended. Gunzips when the file starts with
 * the gzip magic. The bytes not yet hashed (the last complete line, then the line still open) are
 * kept, copied, across chunks; everything before the last complete line is hashed once per chunk.
 * The whole file's hash is that digest, copied, plus the last line.
 */
export async function* readBundleLines(source: BundleSource): AsyncGenerator<RawLine[], BundleFileEnd> {
  const digest: Hash = createHash('sha256');
  // The unhashed bytes: from the start of the last complete line (or of the file) to the end of the last chunk.
  let held: Buffer[] = [];
  let heldBytes = 0;
  // Where, inside `held`, the open line starts; 0 < openAt when `held` starts with the last complete line.
  let openAt = 0;
  let number = 0;
  let bytes = 0;
  let lastByte = -1;
  for await (const chunk of bytesOf(source)) {
    if (chunk.length === 0) continue;
    bytes += chunk.length;
    lastByte = chunk[chunk.length - 1]!;
    // Offsets below run over `held` then `chunk` as one run of bytes.
    const lines: RawLine[] = [];
    let lastStart = openAt > 0 ? 0 : -1;
    let lineStart = openAt;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, nl + 1)) {
      const text = lineStart >= heldBytes ? chunk.toString('utf8', lineStart - heldBytes, nl) : textOf(piecesOf(held, chunk, lineStart, heldBytes + nl));
      lines.push({ number: ++number, text });
      lastStart = lineStart;
      lineStart = heldBytes + nl + 1;
    }
    // Everything before the last complete line is signed: hash it; keep the rest, copied.
    const keepFrom = Math.max(lastStart, 0);
    if (keepFrom > 0) for (const piece of piecesOf(held, chunk, 0, keepFrom)) digest.update(piece);
    const total = heldBytes + chunk.length;
    // (Kept pieces stay as they are while no line ends: a long line in small chunks is not re-walked.)
    held = keepFrom === 0 ? held : piecesOf(held, noBytes, keepFrom, heldBytes);
    held.push(Buffer.from(chunk.subarray(Math.max(keepFrom - heldBytes, 0))));
    heldBytes = total - keepFrom;
    openAt = lineStart - keepFrom;
    if (lines.length > 0) yield lines;
  }
  if (openAt < heldBytes) {
    // A last line without its newline still counts as the last line; the caller reports the cut.
    for (const piece of piecesOf(held, noBytes, 0, openAt)) digest.update(piece);
    held = piecesOf(held, noBytes, openAt, heldBytes);
    yield [{ number: ++number, text: textOf(held) }];
  }
  const whole = digest.copy();
  for (const piece of held) whole.update(piece);
  return { sha256: whole.digest('hex'), sha256BeforeLastLine: digest.digest('hex'), endsWithNewline: lastByte === 0x0a, lines: number, bytes };
}
