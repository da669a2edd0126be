export { ToolDocumentError, compileOpenApi, readToolDocument, type CompiledTool, type HttpMethod, type JsonSchema, type ToolOperation } from './openapi-tool.js';
export { pinnedOperation, type PinnedOperation } from './pinned-operation.js';
export { ArgumentsValidator } from './arguments-validator.js';
export { supportedSchemes, type OAuthEndpoint, type SecurityScheme } from './security-schemes.js';
