export { ToolDocumentError, compileOpenApi, readToolDocument, type CompiledTool, type HttpMethod, type JsonSchema, type SecurityScheme, type ToolOperation } from './openapi-tool.js';
export { pinnedOperation, type PinnedOperation } from './pinned-operation.js';
export { ArgumentsValidator } from './arguments-validator.js';
export { McpServerError, compileMcpTools, listMcpTools, mcpFetch, mcpOperationName, readMcpServer, withMcpClient, type McpFetch, type McpListedTool, type McpOperation, type McpServerListing } from './mcp-tool.js';
