import { AgentRuntimeError } from '../errors.js';
import { isModelFixtureName, modelFixtureNames, modelFixtures } from './fixtures.js';
import { parseModelScript, type ModelScript } from './script.js';

/**
 * A session drives the scripted model through its context: `modelScript` holds a script inline,
 * `modelFixture` names one from the fixture registry. Neither: the model's defaults.
 */
export function modelScriptFromContext(context: Readonly<Record<string, unknown>>): ModelScript | undefined {
  const { modelScript, modelFixture } = context;
  if (modelScript !== undefined && modelFixture !== undefined) {
    throw new AgentRuntimeError('InvalidModelScript', 'A session context sets both modelScript and modelFixture; set one.');
  }
  if (modelScript !== undefined) {
    return parseModelScript(modelScript);
  }
  if (modelFixture === undefined) {
    return undefined;
  }
  if (typeof modelFixture !== 'string' || !isModelFixtureName(modelFixture)) {
    throw new AgentRuntimeError(
      'UnknownModelFixture',
      `Unknown model fixture ${JSON.stringify(modelFixture)}; known fixtures: ${modelFixtureNames.join(', ')}.`,
    );
  }
  return modelFixtures[modelFixture];
}
