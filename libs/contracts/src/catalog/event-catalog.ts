import { EventCatalog } from './catalog.js';
import { sessionEvents } from './session-events.js';

/** Every event type the platform publishes. A store rejects anything not in here. */
export const eventCatalog = new EventCatalog([...sessionEvents]);
