import { PlatformConfigError } from '@agent-orchestrator/service-host';
import { parseAgentRuntimeConfig } from './config.js';

describe('the agent-runtime configuration', () => {
  it('runs agents on the scripted model when no provider is set', () => {
    expect(parseAgentRuntimeConfig({}).modelDescription).toMatch(/scripted model/);
  });

  it('offers 40 operations per model request unless MAX_OFFERED_OPERATIONS says otherwise', () => {
    expect(parseAgentRuntimeConfig({}).maxOfferedOperations).toBe(40);
    expect(parseAgentRuntimeConfig({ MAX_OFFERED_OPERATIONS: '12' }).maxOfferedOperations).toBe(12);
  });

  it.each([
    ['OPENAI_BASE_URL', 'ollama on port 11434', /OPENAI_BASE_URL: expects the base URL/],
    ['MODEL_PRICES', '{"gpt": 1', /MODEL_PRICES: .*not valid JSON/],
    ['MODEL_PRICES', '{"gpt": {"inputUsdPerMillion": "cheap"}}', /MODEL_PRICES: /],
    ['MAX_OFFERED_OPERATIONS', 'forty', /MAX_OFFERED_OPERATIONS: expects a whole number/],
    ['MAX_OFFERED_OPERATIONS', '0', /MAX_OFFERED_OPERATIONS: /],
  ])('refuses a wrong %s (%s), naming it', (variable, value, message) => {
    expect(() => parseAgentRuntimeConfig({ [variable]: value })).toThrow(PlatformConfigError);
    expect(() => parseAgentRuntimeConfig({ [variable]: value })).toThrow(message);
  });
});
