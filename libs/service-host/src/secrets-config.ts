import { secretsConfigFrom, type SecretsConfig } from '@agent-orchestrator/secrets';
import { PlatformConfigError } from './platform-config.js';

/** The secrets store's variables (SECRETS_*, VAULT_*) for `service`, failing as its other variables fail. */
export function parseSecretsConfig(service: string, env: Readonly<Record<string, string | undefined>>): SecretsConfig {
  try {
    return secretsConfigFrom(env);
  } catch (error) {
    // secretsConfigFrom names each variable on a line of its own, under a heading.
    const lines = error instanceof Error ? error.message.split('\n').slice(1).map((line) => line.trim()) : [];
    throw new PlatformConfigError(service, lines.length > 0 ? lines : [String(error)]);
  }
}
