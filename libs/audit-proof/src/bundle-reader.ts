import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
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

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

async function isGzip(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await file.read(head, 0, 2, 0);
    return bytesRead === 2 && head.equals(GZIP_MAGIC);
  } finally {
    await file.close();
  }
}

/** Yields each line; returns how the file ended. Gunzips when the file starts with the gzip magic. */
export async function* readBundleLines(path: string): AsyncGenerator<RawLine, BundleFileEnd> {
  const source = createReadStream(path);
  const bytesIn: AsyncIterable<Buffer> = (await isGzip(path)) ? source.pipe(createGunzip()) : source;
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
