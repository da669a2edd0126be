import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/*
 * Reads a bundle a line at a time, whatever its size: one line in memory, never the file. The
 * bundle signature covers every byte before the last line, so each line is hashed only once the
 * next one arrives; at the end the digest excludes exactly the last line.
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
  const chunks = (typeof source === 'string' ? createReadStream(source) : source)[Symbol.asyncIterator]();
  const first = await chunks.next();
  if (first.done) return;
  async function* all(): AsyncGenerator<Buffer> {
    yield Buffer.from(first.value as Uint8Array);
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield Buffer.from(next.value as Uint8Array);
  }
  const head = first.value as Uint8Array;
  if (head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1]) yield* Readable.from(all()).pipe(createGunzip());
  else yield* all();
}

/** Yields each line; returns how the file ended. Gunzips when the file starts with the gzip magic. */
export async function* readBundleLines(source: BundleSource): AsyncGenerator<RawLine, BundleFileEnd> {
  const bytesIn = bytesOf(source);
  const digest: Hash = createHash('sha256');
  const whole: Hash = createHash('sha256');
  let pending: Buffer[] = [];
  let previousLine: Buffer | null = null;
  let number = 0;
  let bytes = 0;
  let lastByte = -1;
  const complete = (line: Buffer): RawLine => {
    if (previousLine !== null) digest.update(previousLine);
    previousLine = line;
    number++;
    return { number, text: line.subarray(0, line.length - 1).toString('utf8') };
  };
  for await (const chunk of bytesIn) {
    bytes += chunk.length;
    whole.update(chunk);
    lastByte = chunk[chunk.length - 1] ?? lastByte;
    let start = 0;
    for (let nl = chunk.indexOf(0x0a, start); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      pending.push(chunk.subarray(start, nl + 1));
      const line = Buffer.concat(pending);
      pending = [];
      start = nl + 1;
      yield complete(line);
    }
    if (start < chunk.length) pending.push(Buffer.from(chunk.subarray(start)));
  }
  if (pending.length > 0) {
    // A last line without its newline still counts as the last line; the caller reports the cut.
    const rest = Buffer.concat([...pending, Buffer.from('\n')]);
    yield complete(rest);
  }
  return { sha256: whole.digest('hex'), sha256BeforeLastLine: digest.digest('hex'), endsWithNewline: lastByte === 0x0a, lines: number, bytes };
}
