import type { EventStore } from '@agent-orchestrator/event-store';

const sha256Pattern = /^[0-9a-f]{64}$/;
const fileKeys = new Set(['answer', 'filename', 'contentType']);

/** `{ "answer": "<sha256>", "filename"?, "contentType"? }`: a file an earlier binary tool answer gave. */
function isAnswerFile(value: unknown): value is { answer: string; filename?: string; contentType?: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return typeof record.answer === 'string' && sha256Pattern.test(record.answer) && Object.keys(record).every((key) => fileKeys.has(key));
}

/**
 * The call's arguments with each file given as an earlier answer's sha256 replaced by its bytes
 * (`{ base64 }`), read from the tenant's attachments, where binary answers are kept. Only a
 * multipart or octet-stream body holds files (a JSON body's `answer` is the API's own field). A
 * reference to bytes the tenant never received refuses the call, naming it.
 */
export async function withAnswerFiles(store: EventStore, tenantId: string, mediaType: string | undefined, argumentsJson: string): Promise<{ argumentsJson: string } | { reason: string }> {
  const kind = (mediaType ?? '').split(';')[0]!.trim().toLowerCase();
  if (kind !== 'multipart/form-data' && kind !== 'application/octet-stream') return { argumentsJson };
  let args: { body?: unknown };
  try {
    args = JSON.parse(argumentsJson) as { body?: unknown };
  } catch {
    return { argumentsJson }; // the executor says what is wrong with it
  }
  if (typeof args !== 'object' || args === null || args.body === undefined) return { argumentsJson };
  let missing: string | undefined;
  const resolve = async (value: unknown, at: string): Promise<unknown> => {
    if (isAnswerFile(value)) {
      const content = await store.getAttachment(tenantId, { sha256: value.answer });
      if (content === undefined) {
        missing ??= `${at}.answer names ${value.answer}, which is no binary answer your tools gave`;
        return value;
      }
      const { answer: _answer, ...described } = value;
      return { base64: Buffer.from(content).toString('base64'), ...described };
    }
    if (Array.isArray(value)) return Promise.all(value.map((item, index) => resolve(item, `${at}[${index}]`)));
    if (typeof value === 'object' && value !== null) {
      const entries = await Promise.all(Object.entries(value).map(async ([key, item]) => [key, await resolve(item, `${at}.${key}`)] as const));
      return Object.fromEntries(entries);
    }
    return value;
  };
  const body = await resolve(args.body, 'body');
  if (missing !== undefined) return { reason: missing };
  return { argumentsJson: JSON.stringify({ ...args, body }) };
}
