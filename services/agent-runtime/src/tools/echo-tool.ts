import { tool, type Tool } from '@openai/agents';
import { z } from 'zod';

/** Built in until tools are registered from OpenAPI documents: it answers with its input. */
export const echoToolName = 'echo';

/**
 * The agent-side face of a tool: a call never executes here. `needsApproval` makes the SDK pause
 * the run at the call, which the runtime turns into ToolCallRequested; when the answer event
 * arrives, the run is resumed and `execute` hands the SDK that recorded answer.
 */
export function deferredTool(
  name: string,
  description: string,
  parameters: z.ZodObject,
  answerOf: (callId: string) => string | undefined,
): Tool {
  return tool({
    name,
    description,
    parameters,
    needsApproval: true,
    execute: (_input, _context, details) => {
      const callId = details?.toolCall?.callId;
      const answer = callId === undefined ? undefined : answerOf(callId);
      if (answer === undefined) throw new Error(`tool ${name} resumed without an answer for call ${callId ?? '(no call id)'}`);
      return answer;
    },
  });
}

/**
 * A registered tool's operation, its arguments described by the JSON Schema compiled from its
 * OpenAPI document. `offered` says whether the model sees it now (find_tools chooses).
 */
export function deferredOperationTool(
  name: string,
  description: string,
  parameters: Record<string, unknown>,
  answerOf: (callId: string) => string | undefined,
  offered?: () => boolean,
): Tool {
  return tool({
    name,
    description,
    ...(offered === undefined ? {} : { isEnabled: () => offered() }),
    // The SDK types a non-strict schema by its properties; this one is only known at run time.
    parameters: { properties: {}, required: [], additionalProperties: false, ...parameters, type: 'object' } as unknown as { type: 'object'; properties: Record<string, never>; required: []; additionalProperties: true },
    strict: false,
    needsApproval: true,
    execute: (_input, _context, details) => {
      const callId = details?.toolCall?.callId;
      const answer = callId === undefined ? undefined : answerOf(callId);
      if (answer === undefined) throw new Error(`tool ${name} resumed without an answer for call ${callId ?? '(no call id)'}`);
      return answer;
    },
  });
}

export function echoTool(answerOf: (callId: string) => string | undefined): Tool {
  return deferredTool(echoToolName, 'Answers with the text it is given (a built-in test tool).', z.object({ text: z.string() }), answerOf);
}
