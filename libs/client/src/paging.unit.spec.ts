import { everyItem, pageOf, type Page } from './paging.js';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

describe('paging', () => {
  it('walks every page once, asking each with the previous page\'s cursor', async () => {
    const pages: Record<string, Page<number, string>> = { first: { items: [1, 2], next: 'b' }, b: { items: [3, 4], next: 'c' }, c: { items: [5], next: null } };
    const asked: (string | undefined)[] = [];
    const items = await collect(everyItem<number, string>(async (cursor) => (asked.push(cursor), pages[cursor ?? 'first']!)));
    expect(items).toEqual([1, 2, 3, 4, 5]);
    expect(asked).toEqual([undefined, 'b', 'c']);
  });

  it('fetches a page only when the previous one is used up', async () => {
    let fetched = 0;
    const iterator = everyItem<number, number>(async (from = 0) => (fetched++, { items: [from, from + 1], next: from + 2 }));
    for await (const item of iterator) if (item === 2) break;
    expect(fetched).toBe(2);
  });

  it('stops instead of looping when a page names itself as the next', async () => {
    await expect(collect(everyItem<number, string>(async () => ({ items: [1], next: 'same' })))).rejects.toThrow('as its own next page');
  });

  it('reads the gateway\'s page envelopes and refuses other shapes', () => {
    expect(pageOf({ items: [{ a: 1 }], nextFromVersion: 100 }, 'nextFromVersion', 'number')).toEqual({ items: [{ a: 1 }], next: 100 });
    expect(pageOf({ items: [], nextCursor: null }, 'nextCursor', 'string')).toEqual({ items: [], next: null });
    expect(() => pageOf({ items: [], nextCursor: 3 }, 'nextCursor', 'string')).toThrow('nextCursor: string | null');
    expect(() => pageOf([1, 2], 'nextCursor', 'string')).toThrow('Expected a page');
  });
});
