import { z } from 'zod';
import { newEventSchema } from '../envelope.js';

/**
 * What a decider needs besides the command and the state. Time and ids are inputs so deciders
 * stay pure and a replayed command decides the same events: `now` stamps every event it decides,
 * and `eventIds` are used in order, one per event (supply at least as many as the decider can
 * emit for one command). The remaining fields are copied onto every event.
 */
export const commandMetadataSchema = newEventSchema
  .pick({ tenantId: true, correlationId: true, causationId: true, actor: true, traceparent: true })
  .extend({
    now: z.iso.datetime({ offset: false }),
    eventIds: z.array(z.uuid()).max(1000),
  });
export type CommandMetadata = Readonly<z.infer<typeof commandMetadataSchema>>;
