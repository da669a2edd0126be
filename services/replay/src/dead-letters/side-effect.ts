/** A dead letter's value read as what the platform sends: an event envelope, or a command message. */
export interface MessageBody {
  readonly kind: 'event' | 'command';
  readonly type: string;
  readonly tenantId: string | undefined;
  readonly correlationId: string | undefined;
  /** The event's data, or the command itself. */
  readonly data: Readonly<Record<string, unknown>>;
}

const safeMethods = new Set(['get', 'head', 'options']);

/** The consumer group that runs tool operations: tool-adapters' (its events and its commands). */
const runsTools = (consumer: string): boolean => consumer === 'tool-adapters' || consumer.startsWith('tool-adapters.');

/**
 * The tool a message is about: the policy's target names the registered tool; otherwise the
 * call's tool as the model called it (`<tool>__<operation>`, or a built-in's name).
 */
export function toolOf(body: MessageBody): string | undefined {
  const target = body.data.target as { tool?: unknown } | null | undefined;
  if (typeof target?.tool === 'string') return target.tool;
  const tool = body.data.tool;
  return typeof tool === 'string' ? tool.split('__')[0] : undefined;
}

/**
 * Whether handling the message again would run a tool operation whose method is not safe, read
 * the way tool-adapters reads it: a PolicyDecisionRecorded that allows a call carries the pinned
 * operation's method in its target; an ApprovalGranted or a RetryParkedToolCall runs the call
 * without saying the method, so it is taken to repeat one, and the note says why. Only the
 * tool-adapters group runs calls: redriven to any other group, no message runs one.
 */
export function sideEffectOf(consumer: string, body: MessageBody | undefined): { readonly repeats: boolean; readonly why: string } {
  if (!runsTools(consumer)) return { repeats: false, why: `${consumer} runs no tool operation` };
  if (body === undefined) return { repeats: true, why: 'the message could not be read, so what it would run cannot be told' };
  switch (body.type) {
    case 'PolicyDecisionRecorded': {
      const target = body.data.target as { tool?: string; operation?: string; method?: string } | null | undefined;
      if (body.data.effect !== 'allow') return { repeats: false, why: `the policy's ${String(body.data.effect)} runs no call` };
      if (!target) return { repeats: false, why: `${String(body.data.tool)} is a built-in tool` };
      const method = String(target.method).toLowerCase();
      return { repeats: !safeMethods.has(method), why: `runs ${method.toUpperCase()} ${target.tool}.${target.operation}` };
    }
    case 'ApprovalGranted':
      return { repeats: true, why: `runs the approved call ${String(body.data.tool)}; the message does not say its method` };
    case 'RetryParkedToolCall':
      return { repeats: true, why: 'runs the parked call again; the message does not say its method' };
    default:
      return { repeats: false, why: `tool-adapters runs no call on ${body.type}` };
  }
}
