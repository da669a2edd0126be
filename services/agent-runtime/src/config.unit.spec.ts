import { PlatformConfigError } from '@agent-orchestrator/service-host';
import { parseAgentRuntimeConfig } from './config.js';

describe('the agent-runtime configuration', () => {
  it('runs agents on the scripted model when no provider is set', () => {
    expect(parseAgentRuntimeConfig({}).modelDescription).toMatch(/scripted model/);
  });

  it.each([
    ['OPENAI_BASE_URL', 'ollama on port 11434', /OPENAI_BASE_URL: expects the base URL/],
    ['MODEL_PRICES', '{"gpt": 1', /MODEL_PRICES: .*not valid JSON/],
    ['MODEL_PRICES', '{"gpt": {"inputUsdPerMillion": "cheap"}}', /MODEL_PRICES: /],
  ])('refuses a wrong %s (%s), naming it', (variable, value, message) => {
    expect(() => parseAgentRuntimeConfig({ [variable]: value })).toThrow(PlatformConfigError);
    expect(() => parseAgentRuntimeConfig({ [variable]: value })).toThrow(message);
  });
});
