import { demoPolicy, provisionDemo, startDemoCrm } from '@agent-orchestrator/demo';
import { waitFor } from '@agent-orchestrator/testing';
import { api, followLive, type Target } from './scenarios.behaviour.js';

/** A customer's personal data as a client might paste it: a Luhn-valid card, an IBAN with a valid checksum, a valid UK number. */
const customer = { email: 'ada.lovelace@example.com', card: '4111 1111 1111 1111', iban: 'DE89 3704 0044 0532 0130 00', phone: '+44 20 7946 0958' };
const quoted = `Reach ${customer.email} or ${customer.phone}; card ${customer.card}; IBAN ${customer.iban}.`;
/** Every form of the values that must not be stored: as sent, and without their spaces. */
const values = Object.values(customer).flatMap((value) => [value, value.replace(/ /g, '')]);

/** One step whose model answer quotes the customer, as the goal and context gave it. */
const quotingScript = {
  turns: [
    { agent: 'Planner', output: { steps: [{ stepId: 'quote', title: 'Quote the customer', agent: 'Executor', dependsOn: [] }] } },
    { agent: 'Executor', run: 'quote', text: quoted },
    { agent: 'Reviewer', run: 'round-1', output: { verdict: 'pass', reasons: [] } },
  ],
};

/** Runs a session quoting the customer to its end; what the API and the live WebSocket showed of it. */
async function quotingSession(target: Target) {
  const { call, events, waitForStatus } = api(target);
  const started = await call('POST', '/v1/sessions', { body: { goal: `Contact the customer. ${quoted}`, context: { customer, modelScript: quotingScript } } });
  expect(started.status).toBe(202);
  const { sessionId } = started.body as { sessionId: string };
  const live = await followLive(target, sessionId);
  const log = await events(sessionId);
  // The socket closes after the log's last event; the session read model follows shortly.
  await waitForStatus(sessionId, 'completed');
  const session = (await call('GET', `/v1/sessions/${sessionId}`)).body as { status: string };
  const one = (type: string) => log.find((event) => event.type === type)!;
  return { live, log, session, started: one('SessionStarted'), stepOutput: JSON.stringify(one('StepCompleted').data) };
}

const found = (text: string) => values.filter((value) => text.includes(value));

/**
 * Issue 13's PII: an email, a card, an IBAN and a phone number in a goal and its context are
 * replaced before the session is stored, so neither the log, the session read model, the live
 * WebSocket nor a step that quotes them holds them, and PiiRedacted names each field. A tenant
 * that turns redaction off keeps them. An approver's reason is stored redacted.
 */
export async function privacyScenario(target: Target): Promise<void> {
  const { call, waitForStatus } = api(target);
  expect((await call('GET', '/v1/privacy')).body).toMatchObject({ redact: 'default' });

  const redacted = await quotingSession(target);
  expect(found(JSON.stringify(redacted.log))).toEqual([]);
  expect(found(JSON.stringify(redacted.live))).toEqual([]);
  expect(found(JSON.stringify(redacted.session))).toEqual([]);
  expect(redacted.started.data).toMatchObject({
    goal: 'Contact the customer. Reach [REDACTED:email] or [REDACTED:phone]; card [REDACTED:card]; IBAN [REDACTED:iban].',
    context: { customer: { email: '[REDACTED:email]', card: '[REDACTED:card]', iban: '[REDACTED:iban]', phone: '[REDACTED:phone]' } },
  });
  expect(redacted.stepOutput).toContain('[REDACTED:card]');
  const record = redacted.log.find((event) => event.type === 'PiiRedacted' && (event.data as { eventType: string }).eventType === 'SessionStarted');
  expect(record?.data).toMatchObject({ eventId: redacted.started.eventId, found: { email: 3, card: 3, iban: 3, phone: 3 } });
  const paths = (record!.data as { fields: { path: string; kind: string }[] }).fields.map(({ path, kind }) => `${kind} ${path}`);
  expect(paths).toEqual(
    expect.arrayContaining([
      'email /goal',
      'phone /goal',
      'email /context/customer/email',
      'card /context/customer/card',
      'iban /context/customer/iban',
      'phone /context/customer/phone',
      'card /context/modelScript/turns/1/text',
    ]),
  );
  expect(redacted.live.map((event) => event.eventId)).toContain(record!.eventId);

  const off = await call('PUT', '/v1/privacy', { body: { redact: 'off' } });
  expect(off).toMatchObject({ status: 200, body: { redact: 'off' } });
  try {
    const kept = await quotingSession(target);
    expect(found(kept.started.data ? JSON.stringify(kept.started.data) : '')).toEqual(values.filter((value) => quoted.includes(value)));
    expect(kept.stepOutput).toContain(customer.card);
    expect(kept.log.map((event) => event.type)).not.toContain('PiiRedacted');
  } finally {
    expect((await call('PUT', '/v1/privacy', { body: { redact: 'default' } })).status).toBe(200);
  }
  expect((await call('PUT', '/v1/privacy', { body: { redact: ['email', 'nickname'] } })).status).toBe(422);

  const crm = await startDemoCrm(0);
  try {
    await provisionDemo({ gatewayUrl: target.url, apiKey: target.key, crmUrl: crm.url });
    expect((await call('PUT', '/v1/policies', { body: demoPolicy })).status).toBe(200);
    const { sessionId } = (await call('POST', '/v1/sessions', { body: { goal: 'Upgrade customer 42 to gold', context: { modelFixture: 'demo-upgrade-customer' } } })).body;
    await waitForStatus(sessionId, 'awaiting_approval');
    const [item] = (await call('GET', `/v1/approvals?sessionId=${sessionId}`)).body.items;
    const reason = `ask ${customer.email} first`;
    expect((await call('POST', `/v1/approvals/${item.approvalId}/decision`, { body: { decision: 'reject', reason } })).body).toMatchObject({ status: 'rejected' });
    // The decision is answered once it is in the log; the inbox (a read model) follows shortly.
    let settled: { status?: string } = {};
    await waitFor('the rejection to reach the approvals read model', async () => {
      settled = (await call('GET', `/v1/approvals/${item.approvalId}`)).body;
      return settled.status !== 'pending';
    });
    expect(settled).toMatchObject({ status: 'rejected', outcome: { reason: 'ask [REDACTED:email] first' } });
    expect(JSON.stringify(settled)).not.toContain(customer.email);
  } finally {
    await call('PUT', '/v1/policies', { body: {} });
    await crm.stop();
  }
}
