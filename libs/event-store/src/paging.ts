import type { EventEnvelope } from '@agent-orchestrator/contracts';
import type { ReadAllOptions } from './port.js';

export const defaultPageSize = 500;

/** The global log from a position, page by page over any adapter's readAll. */
export async function* pageAll(
  readAll: (options: ReadAllOptions) => Promise<EventEnvelope[]>,
  options: ReadAllOptions & { pageSize?: number },
): AsyncIterable<EventEnvelope> {
  let after = options.after;
  let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
  const pageSize = options.pageSize ?? defaultPageSize;
  while (remaining > 0) {
    const wanted = Math.min(pageSize, remaining);
    const page = await readAll({ after, tenantId: options.tenantId, maxCount: wanted });
    yield* page;
    if (page.length < wanted) return;
    remaining -= page.length;
    after = page[page.length - 1]!.globalPosition;
  }
}
