import type { AgentInputItem, FunctionCallItem, FunctionCallResultItem } from '@openai/agents';

/**
 * What the scripted model stamps on every item it outputs (under `providerData`), so the next
 * request can tell its own earlier responses apart from other agents' and from user input. The
 * stamp travels in the conversation, and so in a serialised RunState: a run resumed in another
 * process continues the script where it stopped, with no state kept in the model.
 */
export interface ScriptedStamp {
  readonly agent: string;
  readonly run?: string;
  readonly turn: number;
}

export const STAMP_KEY = 'scriptedModel';

/** An unbound model (no agent name) still stamps its items, under this agent key. */
export const ANY_AGENT = '*';

export function stampOf(item: AgentInputItem): ScriptedStamp | undefined {
  const stamp: unknown = (item as { providerData?: Record<string, unknown> }).providerData?.[STAMP_KEY];
  if (typeof stamp !== 'object' || stamp === null) {
    return undefined;
  }
  const { agent, run, turn } = stamp as Record<string, unknown>;
  if (typeof agent !== 'string' || typeof turn !== 'number' || (run !== undefined && typeof run !== 'string')) {
    return undefined;
  }
  return run === undefined ? { agent, turn } : { agent, run, turn };
}

function isOwn(stamp: ScriptedStamp | undefined, agent: string, run: string | undefined): stamp is ScriptedStamp {
  return stamp !== undefined && stamp.agent === agent && stamp.run === run;
}

/** The conversation as one agent's run sees it: its own earlier responses, tool results, the user's words. */
export class Conversation {
  private readonly items: readonly AgentInputItem[];

  constructor(
    input: string | readonly AgentInputItem[],
    private readonly agent: string,
    private readonly run: string | undefined,
  ) {
    this.items = typeof input === 'string' ? [{ role: 'user', content: input }] : input;
  }

  /** How many responses this agent's run has already given: the index of the turn to take now. */
  ownTurnCount(): number {
    const turns = new Set<number>();
    for (const item of this.items) {
      const stamp = stampOf(item);
      if (isOwn(stamp, this.agent, this.run)) {
        turns.add(stamp.turn);
      }
    }
    return turns.size;
  }

  ownToolCalls(): FunctionCallItem[] {
    return this.items.filter(
      (item): item is FunctionCallItem => item.type === 'function_call' && isOwn(stampOf(item), this.agent, this.run),
    );
  }

  resultOf(call: FunctionCallItem): FunctionCallResultItem | undefined {
    return this.items.find(
      (item): item is FunctionCallResultItem => item.type === 'function_call_result' && item.callId === call.callId,
    );
  }

  lastUserText(): string {
    for (let index = this.items.length - 1; index >= 0; index -= 1) {
      const item = this.items[index];
      if (item !== undefined && 'role' in item && item.role === 'user') {
        return typeof item.content === 'string'
          ? item.content
          : item.content.map((part) => (part.type === 'input_text' ? part.text : '')).join(' ');
      }
    }
    return '';
  }
}

export function resultText(result: FunctionCallResultItem): string {
  const { output } = result;
  if (typeof output === 'string') {
    return output;
  }
  if (!Array.isArray(output) && output.type === 'text') {
    return output.text;
  }
  return JSON.stringify(output);
}

/** At most `length` characters of `text`, on one line. */
export function excerpt(text: string, length: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= length ? line : `${line.slice(0, length - 1)}…`;
}
