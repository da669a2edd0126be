export { ToolDocumentError, compileOpenApi, readToolDocument, type CompiledTool, type HttpMethod, type JsonSchema, type ToolOperation } from './openapi-tool.js';
