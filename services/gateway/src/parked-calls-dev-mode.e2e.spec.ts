import { randomBytes } from 'node:crypto';
import { startDevModeProcess, type DevModeProcess } from '@agent-orchestrator/testing';
import { parkedCallsScenario } from './e2e/parked-calls.behaviour.js';

/**
 * Parked calls end to end in dev mode (one process, the replay service in it): the tool's retries
 * are cut to one quick retry so a call parks within a second instead of after the default backoff.
 */
describe('parked tool calls in dev mode, redriven and discarded with ao', () => {
  const key = randomBytes(32).toString('base64url');
  let dev: DevModeProcess;

  beforeAll(async () => {
    dev = await startDevModeProcess('parked_e2e', { DEV_API_KEY: key, TOOL_RETRIES: '1', TOOL_RETRY_MIN_MS: '10' });
  }, 120_000);
  afterAll(async () => {
    await dev?.stop();
  });
  afterEach(() => {
    const failed = expect.getState().assertionCalls !== expect.getState().numPassingAsserts;
    if (failed) console.log(dev.output().slice(-6000));
  });

  it('parks the writes of an outage, discards one (the agent is told), and redrives the rest with ao: each session completes, each write once', () =>
    parkedCallsScenario({ url: dev.url, key }).catch((error: unknown) => {
      // What the process said, to tell where the walk stopped.
      console.log(dev.output().slice(-8000));
      throw error;
    }), 300_000);
});
