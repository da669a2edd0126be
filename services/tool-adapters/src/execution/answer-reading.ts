import { createHash } from 'node:crypto';
import { AbortError } from 'p-retry';
import type { Response } from 'undici';

/** How an answer is read: JSON is parsed and checked, text kept as text, anything else only described. */
export type AnswerKind = 'json' | 'text' | 'binary';

/** An answer with no declared type stays text, as every answer was before binary ones were told apart. */
export function answerKind(contentType: string | null): AnswerKind {
  const essence = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (essence === '') return 'text';
  if (/^application\/(?:[\w.-]+\+)?json$/.test(essence)) return 'json';
  return essence.startsWith('text/') ? 'text' : 'binary';
}

/**
 * The answer as the call's output text. A binary answer becomes
 * `{"binary":{"contentType","size","sha256"}}`, since a model can do nothing with its bytes and an
 * event must not carry them; its bytes come back beside it, for the caller to keep as an
 * attachment that a later call can send by that sha256. Either kind larger than `limit` bytes fails
 * the call: a tool that answers more than that is not answering the question it was asked.
 */
export async function readAnswer(response: Response, limit: number): Promise<{ kind: AnswerKind; text: string; bytes?: Buffer }> {
  const contentType = response.headers.get('content-type');
  const kind = answerKind(contentType);
  const chunks: Uint8Array[] = [];
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength;
    // Leaving the loop cancels the stream: the rest is never read.
    if (size > limit) throw new AbortError(`the response is larger than ${limit} bytes`);
    if (kind === 'binary') hash.update(chunk);
    chunks.push(chunk);
  }
  if (kind !== 'binary') return { kind, text: Buffer.concat(chunks).toString('utf8') };
  return { kind, text: JSON.stringify({ binary: { contentType: contentType!.trim(), size, sha256: hash.digest('hex') } }), bytes: Buffer.concat(chunks) };
}
