import { isAgentRuntimeError } from '../errors.js';
import { costOf, defaultPriceTable, priceOf, priceTableWith } from './pricing.js';

describe('model pricing', () => {
  it('charges nothing for the scripted model, bound to an agent or not', () => {
    const usage = { inputTokens: 1_000_000, outputTokens: 1_000_000 };

    expect(costOf('scripted', usage)).toBe(0);
    expect(costOf('scripted/Planner/attempt-1', usage)).toBe(0);
  });

  it('charges input and output tokens at their own per-million prices', () => {
    expect(costOf('gpt-4o', { inputTokens: 1_000_000, outputTokens: 1_000_000 })).toBe(12.5);
    expect(costOf('gpt-4.1-mini', { inputTokens: 2_000, outputTokens: 500 })).toBe(0.0016);
  });

  it('rounds to a billionth of a dollar, without floating-point noise', () => {
    expect(costOf('gpt-4.1-nano', { inputTokens: 3, outputTokens: 0 })).toBe(0.0000003);
    expect(costOf('gpt-4o-mini', { inputTokens: 1, outputTokens: 1 })).toBe(0.00000075);
  });

  it('prices a dated snapshot as the longest model name it extends', () => {
    expect(priceOf('gpt-4o-2024-08-06')).toBe(defaultPriceTable['gpt-4o']);
    expect(priceOf('gpt-4o-mini-2024-07-18')).toBe(defaultPriceTable['gpt-4o-mini']);
    expect(priceOf('gpt-4oops')).toBeUndefined();
  });

  it('refuses to guess the price of an unknown model', () => {
    let failure: unknown;
    try {
      costOf('llama3.1:8b', { inputTokens: 10, outputTokens: 10 });
    } catch (error) {
      failure = error;
    }

    expect(isAgentRuntimeError(failure, 'UnknownModelPrice')).toBe(true);
  });

  it('takes overrides from configuration, as an object or JSON text, over the defaults', () => {
    const table = priceTableWith('{"gpt-4o": {"inputUsdPerMillion": 2, "outputUsdPerMillion": 8}, "*": {"inputUsdPerMillion": 0, "outputUsdPerMillion": 0}}');
    const custom = priceTableWith({ 'deepseek-chat': { inputUsdPerMillion: 0.27, outputUsdPerMillion: 1.1 } }, table);

    expect(costOf('gpt-4o', { inputTokens: 1_000_000, outputTokens: 1_000_000 }, table)).toBe(10);
    expect(costOf('llama3.1:8b', { inputTokens: 10, outputTokens: 10 }, table)).toBe(0);
    expect(costOf('deepseek-chat', { inputTokens: 1_000_000, outputTokens: 0 }, custom)).toBe(0.27);
    expect(costOf('gpt-4o-mini', { inputTokens: 1_000_000, outputTokens: 0 }, custom)).toBe(0.15);
    expect(defaultPriceTable['gpt-4o']).toEqual({ inputUsdPerMillion: 2.5, outputUsdPerMillion: 10 });
  });

  it.each([
    ['text that is not JSON', '{gpt-4o: 2}'],
    ['a negative price', { 'gpt-4o': { inputUsdPerMillion: -1, outputUsdPerMillion: 10 } }],
    ['a price missing its output side', { 'gpt-4o': { inputUsdPerMillion: 1 } }],
    ['a misspelt field', { 'gpt-4o': { inputUsdPerMillion: 1, outputUsdPerMilion: 2 } }],
  ])('refuses an override with %s', (_, overrides) => {
    expect(() => priceTableWith(overrides)).toThrow(expect.objectContaining({ code: 'InvalidPriceTable' }));
  });
});
