/** One page of a list: its items and where the next one starts (null: this was the last). */
export interface Page<Item, Cursor> {
  readonly items: readonly Item[];
  readonly next: Cursor | null;
}

/** The item type of a list answer `{ items: Item[] }`, as the document types it. */
export type ItemOf<Answer> = Answer extends { readonly items: readonly (infer Item)[] } ? Item : unknown;

/** Every item of a paged list, fetching each page only when the previous one is used up. */
export async function* everyItem<Item, Cursor>(fetchPage: (cursor: Cursor | undefined) => Promise<Page<Item, Cursor>>): AsyncGenerator<Item, void, undefined> {
  let cursor: Cursor | undefined;
  for (;;) {
    const page = await fetchPage(cursor);
    yield* page.items;
    if (page.next === null) return;
    if (page.next === cursor) throw new Error(`The list answered the cursor ${String(cursor)} as its own next page; stopping instead of looping.`);
    cursor = page.next;
  }
}

/**
 * Reads a list answer's page: `items`, and the cursor in `nextField` (`nextCursor`, `nextFromVersion`).
 * The envelope is checked, so an answer of another shape fails with a message instead of ending
 * the iteration early; the items are taken to be the `Item`s the document describes (the e2e
 * suites check every answer against it).
 */
export function pageOf<Item, Cursor extends string | number>(answer: unknown, nextField: string, cursorType: 'string' | 'number'): Page<Item, Cursor> {
  const fields = (typeof answer === 'object' && answer !== null ? answer : {}) as Record<string, unknown>;
  const next = fields[nextField];
  if (!Array.isArray(fields.items) || (next !== null && typeof next !== cursorType)) {
    throw new Error(`Expected a page { items: [...], ${nextField}: ${cursorType} | null }, got ${JSON.stringify(answer)?.slice(0, 200)}`);
  }
  return { items: fields.items as Item[], next: next as Cursor | null };
}
