import { parseServiceEnv } from '@agent-orchestrator/service-host';
import { z } from 'zod';

const envSchema = z.object({});

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by the parts of the service as they land
export interface ObservabilityConfig {}

export function parseObservabilityConfig(env: Readonly<Record<string, string | undefined>>): ObservabilityConfig {
  parseServiceEnv('observability', envSchema, env);
  return {};
}
