import { EventCatalog } from './catalog.js';
import { adminEvents } from './admin-events.js';
import { analysisEvents } from './analysis-events.js';
import { alertEvents } from './alert-events.js';
import { agentEvents } from './agent-events.js';
import { agentRunEvents, toolCallEvents } from './agent-run-events.js';
import { approvalEvents } from './approval-events.js';
import { egressEvents } from './egress-events.js';
import { policyCheckEvents, policyEvents } from './policy-events.js';
import { privacyEvents } from './privacy-events.js';
import { auditEvents } from './audit-events.js';
import { budgetEvents, budgetLedgerEvents } from './budget-events.js';
import { parkedCallEvents } from './parked-call-events.js';
import { operationEvents } from './operation-events.js';
import { priceEvents } from './price-events.js';
import { sessionEvents } from './session-events.js';
import { toolEvents } from './tool-events.js';

/** Every event type the platform publishes. A store rejects anything not in here. */
export const eventCatalog = new EventCatalog([...sessionEvents, ...agentRunEvents, ...toolCallEvents, ...parkedCallEvents, ...privacyEvents, ...agentEvents, ...toolEvents, ...policyEvents, ...policyCheckEvents, ...approvalEvents, ...egressEvents, ...adminEvents, ...auditEvents, ...operationEvents, ...analysisEvents, ...priceEvents, ...alertEvents, ...budgetEvents, ...budgetLedgerEvents]);
