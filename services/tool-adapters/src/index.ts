export { answerToolCall, builtInAnswer, type ToolCallRequest } from './built-in-tools.js';
