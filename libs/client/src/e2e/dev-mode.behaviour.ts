import { randomBytes } from 'node:crypto';
import { startDevModeProcess } from '@agent-orchestrator/testing';

export interface DevMode {
  readonly url: string;
  /** The demo tenant's admin key (DEV_API_KEY). */
  readonly adminKey: string;
  stop(): Promise<void>;
}

/** Dev mode on a fresh database of the machine's PostgreSQL, as the gateway's e2e suites start it. */
export async function startDevMode(name: string): Promise<DevMode> {
  const adminKey = randomBytes(32).toString('base64url');
  const dev = await startDevModeProcess(name, { DEV_API_KEY: adminKey });
  return { url: dev.url, adminKey, stop: () => dev.stop() };
}
