export { ToolDocumentError, compileOpenApi, readToolDocument, type CompiledTool, type HttpMethod, type JsonSchema, type SecurityScheme, type ToolOperation } from './openapi-tool.js';
export { pinnedOperation, type PinnedOperation } from './pinned-operation.js';
export { ArgumentsValidator } from './arguments-validator.js';
export { definitionForCommand, hydrateToolEvents, inlineDefinitionBytes, type DefinitionOrStored } from './tool-definitions.js';
export { ToolCompiler, type CompileRequest, type ToolCompilerOptions } from './tool-compiler.js';
