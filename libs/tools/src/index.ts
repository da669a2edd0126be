export {
  ToolDocumentError,
  compileOpenApi,
  readToolDocument,
  type CompileOptions,
  type CompiledTool,
  type HttpMethod,
  type JsonSchema,
  type SkippedOperation,
  type ToolOperation,
  type ToolParameter,
} from './openapi-tool.js';
export { type OperationSelection } from './operation-selection.js';
export { pinnedOperation, type PinnedOperation } from './pinned-operation.js';
export { ArgumentsValidator } from './arguments-validator.js';
export { definitionForCommand, hydrateToolEvents, inlineDefinitionBytes, type DefinitionOrStored } from './tool-definitions.js';
export { ToolCompiler, type CompileRequest, type ToolCompilerOptions } from './tool-compiler.js';
export { McpServerError, compileMcpTools, listMcpTools, mcpFetch, mcpOperationName, readMcpServer, withMcpClient, type McpFetch, type McpListedTool, type McpOperation, type McpServerListing } from './mcp-tool.js';
export { supportedSchemes, type OAuthEndpoint, type SecurityScheme } from './security-schemes.js';
