import { tool, type Tool } from '@openai/agents';
import MiniSearch from 'minisearch';
import { z } from 'zod';

export const findToolsName = 'find_tools';

/** One operation an agent may call, as the catalog searches it. */
export interface CatalogEntry {
  /** The name the model calls it by: `<tool>__<operation>`. */
  readonly name: string;
  readonly description: string;
  readonly tags: readonly string[];
}

/** Matches one search adds at most. */
const perSearch = 5;

/**
 * Words of a name or text: split at anything that is not a letter or digit and at camelCase
 * humps, so `billing__refundInvoice` is found by "refund invoice".
 */
const words = (text: string): string[] =>
  text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .map((word) => word.toLowerCase());

/**
 * The operations an agent is allowed when they are more than one model request carries well.
 * The model is offered `find_tools` and whatever it has chosen so far, instead of every schema in
 * every request: a search by name, summary and tags adds its best matches to the run, up to
 * `maxOffered` at once. Searching is deterministic, so a run resumed from its log chooses again
 * exactly what it chose before (`replay`).
 */
export class ToolCatalog {
  private readonly chosen = new Set<string>();
  private readonly index: MiniSearch<CatalogEntry & { id: number }>;
  private readonly entries: readonly CatalogEntry[];

  constructor(
    entries: readonly CatalogEntry[],
    private readonly maxOffered: number,
  ) {
    this.entries = entries;
    this.index = new MiniSearch({
      fields: ['name', 'description', 'tags'],
      tokenize: words,
      processTerm: (term) => term.toLowerCase(),
      extractField: (entry, field) => (field === 'tags' ? entry.tags.join(' ') : String(entry[field as keyof CatalogEntry] ?? '')),
      searchOptions: { prefix: true, fuzzy: 0.2, boost: { name: 2, tags: 1.5 }, combineWith: 'OR' },
    });
    this.index.addAll(entries.map((entry, id) => ({ ...entry, id })));
  }

  /** Whether the run offers this operation to the model now. */
  offers(name: string): boolean {
    return this.chosen.has(name);
  }

  get size(): number {
    return this.entries.length;
  }

  /** The best matches for the query, each offered from now on while room remains; what the model reads back. */
  find(query: string): string {
    const matches = this.index
      .search(query)
      .slice(0, perSearch)
      .map((hit) => this.entries[hit.id as number]!);
    const offered: CatalogEntry[] = [];
    for (const entry of matches) {
      if (!this.chosen.has(entry.name) && this.chosen.size >= this.maxOffered) continue;
      this.chosen.add(entry.name);
      offered.push(entry);
    }
    if (offered.length === 0) {
      const why = matches.length === 0 ? `no allowed tool matches "${query}"; try other words` : `the run already offers ${this.maxOffered} tools, the most one request carries`;
      return JSON.stringify({ tools: [], note: `Nothing was added: ${why}.` });
    }
    return JSON.stringify({
      tools: offered.map(({ name, description }) => ({ name, description })),
      note: 'These tools are offered from now on: call the one you need directly.',
    });
  }

  /** Chooses again what the recorded responses' find_tools calls chose, in their order. */
  replay(responses: readonly { readonly output: readonly unknown[] }[]): void {
    for (const { output } of responses) {
      for (const item of output as { type?: string; name?: string; arguments?: string }[]) {
        if (item?.type !== 'function_call' || item.name !== findToolsName) continue;
        const query = queryOf(item.arguments);
        if (query !== undefined) this.find(query);
      }
    }
  }
}

function queryOf(argumentsJson: string | undefined): string | undefined {
  try {
    const parsed = findToolsInput.safeParse(JSON.parse(argumentsJson ?? ''));
    return parsed.success ? parsed.data.query : undefined;
  } catch {
    return undefined;
  }
}

const findToolsInput = z.object({
  query: z.string().min(1).max(500).describe('What you need to do, in a few words (e.g. "refund an invoice").'),
});

/** The tool the model searches the catalog with; it runs here, in the runtime, and touches nothing outside. */
export function findToolsTool(catalog: ToolCatalog): Tool {
  return tool({
    name: findToolsName,
    description: `Searches the ${catalog.size} tools you are allowed by what they do and offers you the best matches. Call it first, with a few words for what you need; then call the tool it offers.`,
    parameters: findToolsInput,
    execute: ({ query }) => catalog.find(query),
  });
}
