import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PassThrough } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { FastifyReply } from 'fastify';

/**
 * Whether an Accept-Encoding header lets the answer be gzip: `gzip` or `*` with a q above 0, and
 * not refused by name (`gzip;q=0`), per RFC 9110 §12.5.3.
 */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  const weights = new Map<string, number>();
  for (const part of header.split(',')) {
    const [coding, ...parameters] = part.trim().toLowerCase().split(';');
    if (!coding) continue;
    const q = parameters.map((parameter) => /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(parameter)?.[1]).find((value) => value !== undefined);
    weights.set(coding.trim(), q === undefined ? 1 : Number(q));
  }
  const gzip = weights.get('gzip') ?? weights.get('x-gzip') ?? weights.get('*');
  return gzip !== undefined && gzip > 0;
}

export interface BundleFile {
  readonly filename: string;
  /** The uncompressed size, sent as Content-Length when nothing compresses it. */
  readonly bytes: number | null;
  readonly chunks: AsyncIterable<Buffer>;
}

/**
 * Streams a bundle as an attachment, gzip-compressed on the way when the client takes it. The
 * chunks are pulled as the socket drains (Readable.from and pipeline keep backpressure), so the
 * gateway holds about one stored chunk and gzip's window whatever the export's size. A failure
 * half-way cuts the answer short, which the verifier reports as a truncated bundle.
 */
export function sendBundle(reply: FastifyReply, acceptEncoding: string | undefined, file: BundleFile): FastifyReply {
  const gzip = acceptsGzip(acceptEncoding);
  reply
    .header('content-type', 'application/x-ndjson; charset=utf-8')
    .header('content-disposition', `attachment; filename="${file.filename}"`)
    .header('vary', 'accept-encoding')
    .header('cache-control', 'private, no-store');
  const source = Readable.from(file.chunks, { objectMode: false });
  if (!gzip) {
    if (file.bytes !== null) reply.header('content-length', String(file.bytes));
    return reply.send(source);
  }
  reply.header('content-encoding', 'gzip');
  const body = new PassThrough();
  pipeline(source, createGzip(), body).catch((error: unknown) => body.destroy(error instanceof Error ? error : new Error(String(error))));
  return reply.send(body);
}
