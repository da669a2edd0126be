import { z } from 'zod';
import { sessionCommandSchema } from './session-commands.js';

/**
 * A command as it travels on a `commands.<service>` topic, keyed by the id of the stream it
 * targets. `commandId` identifies the request: the receiving service derives the new events' ids
 * from it (so a redelivered command can never append its events twice) and fills
 * `metadata.eventIds` itself; senders leave that list empty.
 */
export const commandMessageSchema = z.strictObject({
  commandId: z.uuid(),
  command: sessionCommandSchema,
});
export type CommandMessage = z.infer<typeof commandMessageSchema>;
