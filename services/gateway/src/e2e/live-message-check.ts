import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Checks each message a live WebSocket sends against the AsyncAPI document the same deployment
 * serves at /docs/asyncapi.json, so a message the document does not describe fails the test that
 * received it. Test-only.
 */
export interface LiveMessageCheck {
  /** Undefined when the message is one the channel describes; otherwise what does not fit. */
  mismatch(message: unknown): string | undefined;
}

interface AsyncApiDocument {
  channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
  components: { messages: Record<string, { name: string; payload: unknown }> } & Record<string, unknown>;
}

const liveAddress = '/v1/sessions/{sessionId}/live';
/** One file per jest worker process; scripts/test.sh adds them up after the run. */
const countsDir = join(import.meta.dirname, '../../../../.data/live-checks');

const checks = new Map<string, Promise<LiveMessageCheck>>();

/** The check for one deployment, its document fetched once. */
export function liveMessageCheck(baseUrl: string): Promise<LiveMessageCheck> {
  let check = checks.get(baseUrl);
  if (!check) {
    check = load(baseUrl);
    checks.set(baseUrl, check);
  }
  return check;
}

async function load(baseUrl: string): Promise<LiveMessageCheck> {
  const answer = await fetch(`${baseUrl}/docs/asyncapi.json`);
  if (answer.status !== 200) throw new Error(`GET /docs/asyncapi.json answered ${answer.status}: ${await answer.text()}`);
  const document = (await answer.json()) as AsyncApiDocument;
  const channel = Object.values(document.channels).find((candidate) => candidate.address === liveAddress);
  if (!channel) throw new Error(`the AsyncAPI document has no channel at ${liveAddress}`);

  // The document's components under an id, so the payloads' #/components/... references resolve.
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ $id: 'asyncapi.json', components: document.components });
  const messages = Object.values(channel.messages).map(({ $ref }) => {
    const path = $ref.replace(/^#\//, '');
    const name = path.split('/').at(-1)!;
    const message = document.components.messages[name];
    if (!$ref.startsWith('#/components/messages/') || !message) throw new Error(`the live channel's message ${$ref} is not among components.messages`);
    return { name: message.name, validate: ajv.compile({ $ref: `asyncapi.json#/${path}/payload` }) as ValidateFunction };
  });

  return {
    mismatch(received) {
      if (messages.some(({ validate }) => validate(received))) return undefined;
      const keys = typeof received === 'object' && received !== null ? Object.keys(received) : [];
      const meant = messages.filter(({ name }) => keys.includes(name));
      const reasons = (meant.length ? meant : messages).map(({ name, validate }) => (validate(received), `as "${name}": ${ajv.errorsText(validate.errors, { dataVar: 'message' })}`));
      return `a live message fits no message of the AsyncAPI document (${reasons.join('; ')}): ${JSON.stringify(received).slice(0, 500)}`;
    },
  };
}

interface Counts {
  messages: number;
  eventTypes: string[];
}

/**
 * Adds a message that passed the check to this process's counts, by the type of the event it
 * carries (jest runs one spec file at a time per worker, so each file has one writer).
 */
export function countCheckedLiveMessage(received: { readonly [kind: string]: { readonly type: string } | undefined }): void {
  const file = join(countsDir, `${process.pid}.json`);
  let counts: Counts = { messages: 0, eventTypes: [] };
  try {
    counts = JSON.parse(readFileSync(file, 'utf8')) as Counts;
  } catch {
    mkdirSync(countsDir, { recursive: true });
  }
  const eventTypes = new Set(counts.eventTypes);
  for (const envelope of Object.values(received)) if (envelope) eventTypes.add(envelope.type);
  writeFileSync(file, JSON.stringify({ messages: counts.messages + 1, eventTypes: [...eventTypes].sort() } satisfies Counts));
}
