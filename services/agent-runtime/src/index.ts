export { AgentRuntimeError, isAgentRuntimeError, type AgentRuntimeErrorCode } from './errors.js';
export {
  SCRIPTED_MODEL_NAME,
  modelScriptSchema,
  modelTurnSchema,
  parseModelScript,
  scriptedToolCallSchema,
  scriptedUsageSchema,
  type ModelScript,
  type ModelTurn,
  type ScriptedToolCall,
  type ScriptedUsage,
} from './model/script.js';
export { isModelFixtureName, modelFixtureNames, modelFixtures, type ModelFixtureName } from './model/fixtures.js';
export { modelScriptFromContext } from './model/session-script.js';
export { ScriptedModel, ScriptedModelProvider, type ScriptedModelBinding } from './model/scripted-model.js';
export {
  costOf,
  defaultPriceTable,
  modelPriceSchema,
  priceOf,
  priceTableSchema,
  priceTableWith,
  type ModelPrice,
  type PriceTable,
} from './model/pricing.js';
export { parseAgentRuntimeConfig, type AgentRuntimeConfig } from './config.js';
export { startAgentRuntime } from './service.js';
